// Scoped API tokens: kept as their SHA-256 only (the API hashes; the store never sees a token).
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

const std::string kTokenColumns = "id, name, scope, prefix, token_hash, created_at, last_used_at, revoked_at";

ApiToken token_from(const Rows& q) {
  ApiToken t;
  t.id = q.text(0);
  t.name = q.text(1);
  t.scope = q.text(2);
  t.prefix = q.text(3);
  t.hash = q.text(4);
  t.created_at = q.i64(5);
  t.last_used_at = q.opt_i64(6);
  t.revoked_at = q.opt_i64(7);
  return t;
}

std::optional<ApiToken> token_by_id(Db& db, const std::string& id) {
  auto q = db.query("SELECT " + kTokenColumns + " FROM api_tokens WHERE id = $1", {id});
  if (!q.next()) return std::nullopt;
  return token_from(q);
}

}  // namespace

ApiToken SqlStore::create_api_token(const ApiToken& token, int64_t now) {
  if (token.id.empty() || token.name.empty() || token.hash.empty()) throw StoreError("an API token needs an id, a name and a hash");
  return db_->write([&] {
    // Two replicas creating the same name at once take turns, so the second sees the first.
    db_->lock_name("keeptrusts.api_tokens");
    {
      auto q = db_->query("SELECT 1 FROM api_tokens WHERE name = $1 AND revoked_at IS NULL", {token.name});
      if (q.next()) throw TokenNameTaken("a token named '" + token.name + "' exists: revoke it first or choose another name");
    }
    db_->exec("INSERT INTO api_tokens(id, name, scope, prefix, token_hash, created_at) VALUES($1, $2, $3, $4, $5, $6)",
              {token.id, token.name, token.scope, token.prefix, token.hash, now});
    ApiToken made = token;
    made.created_at = now;
    made.last_used_at.reset();
    made.revoked_at.reset();
    return made;
  });
}

std::optional<ApiToken> SqlStore::revoke_api_token(const std::string& id, int64_t now) {
  return db_->write([&] {
    db_->exec("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", {id, now});
    return token_by_id(*db_, id);
  });
}

std::vector<ApiToken> SqlStore::list_api_tokens() {
  return read_rows(*db_, "SELECT " + kTokenColumns + " FROM api_tokens ORDER BY created_at, id", token_from);
}

void touch_last_used(Db& db, const char* table, const std::vector<TokenUse>& uses) {
  if (uses.empty()) return;
  db.write([&] {
    // Replicas report their own last uses: the latest wins, whichever arrives last.
    for (const auto& u : uses)
      db.exec(std::string("UPDATE ") + table + " SET last_used_at = GREATEST(COALESCE(last_used_at, 0), $2) WHERE id = $1",
              {u.id, u.last_used_at});
  });
}

void SqlStore::touch_api_tokens(const std::vector<TokenUse>& uses) { touch_last_used(*db_, "api_tokens", uses); }

}  // namespace kt::ledger::sql
