// open_store(): picks the ledger implementation from the URL scheme and migrates it.
#include <string_view>

#include "ledger/postgres/pg_store.hpp"
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
  if (starts_with(u, "postgresql://") || starts_with(u, "postgres://")) {
    auto store = std::make_unique<postgres::PostgresStore>(url);
    store->migrate();
    return store;
  }
  throw StoreError("unknown store URL scheme '" + scheme_of(u) + "': expected " + std::string(kAccepted));
}

std::string redact_database_url(const std::string& url) {
  // scheme://user:password@host...: mask what lies between the first ':' after "//" and the '@'.
  auto slashes = url.find("//");
  if (slashes == std::string::npos) return url;
  auto at = url.find('@', slashes + 2);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', slashes + 2);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace kt::ledger
