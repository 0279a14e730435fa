// open_store(): picks the ledger implementation from the URL scheme and migrates it.
#include <string_view>

#include "ledger/sqlite/sqlite_store.hpp"
#include "ledger/store.hpp"

namespace kt::ledger {
namespace {

constexpr std::string_view kAccepted = "sqlite:PATH, sqlite::memory: or postgresql://...";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The scheme only: a database URL may carry a password, which must never reach a message.
std::string scheme_of(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos) return "(none)";
  return std::string(url.substr(0, colon));
}

}  // namespace

std::unique_ptr<Store> open_store(const std::string& url) {
  std::string_view u = url;
  if (starts_with(u, "sqlite:")) {
    std::string_view path = u.substr(7);
    if (starts_with(path, "//")) path.remove_prefix(2);  // also accept sqlite:///abs/path
    if (path.empty()) throw StoreError("store URL 'sqlite:' needs a path or :memory:, e.g. sqlite:/var/lib/kt/ledger.db");
    auto store = std::make_unique<sqlite::SqliteStore>(std::string(path));
    store->migrate();
    return store;
  }
  if (starts_with(u, "postgresql://") || starts_with(u, "postgres://"))
    throw StoreError("postgresql store not built yet");
  throw StoreError("unknown store URL scheme '" + scheme_of(u) + "': expected " + std::string(kAccepted));
}

}  // namespace kt::ledger
