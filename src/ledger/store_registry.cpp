// open_store(): opens the database the URL names (sql/db.cpp picks the dialect) and migrates it.
#include "ledger/sql/sql_store.hpp"
#include "ledger/store.hpp"

namespace kt::ledger {

std::unique_ptr<Store> open_store(const std::string& url) {
  auto store = std::make_unique<sql::SqlStore>(sql::open_db(url));
  store->migrate();
  return store;
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
