// Consumer keys made through the API: kept as their SHA-256 only, like API tokens (the API hashes;
// the store never sees a key).
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

const std::string kKeyColumns =
    "id, group_name, prefix, key_hash, created_at, expires_at, last_used_at, revoked_at, replaced_by, requests_per_minute, "
    "tokens_per_minute, tokens_per_day, budget, budget_period";

ConsumerKeyRow key_from(const Rows& q) {
  ConsumerKeyRow k{q.text(0), q.text(1), q.text(2), q.text(3), q.i64(4), q.opt_i64(5), q.opt_i64(6), q.opt_i64(7),
                   q.is_null(8) ? std::string() : q.text(8), KeyRateLimits{q.opt_i64(9), q.opt_i64(10), q.opt_i64(11)},
                   std::nullopt, {}, {}, {}};
  if (!q.is_null(12)) k.budget = q.money(12);
  if (!q.is_null(13)) k.budget_period = q.text(13);
  return k;
}

std::optional<ConsumerKeyRow> key_by_id(Db& db, const std::string& id) {
  auto q = db.query("SELECT " + kKeyColumns + " FROM consumer_keys WHERE id = $1", {id});
  if (!q.next()) return std::nullopt;
  return key_from(q);
}

// `budget_key`: the key whose budget spend this one shares (a rotation's predecessor; empty: itself).
ConsumerKeyRow insert_key(Db& db, const ConsumerKeyRow& key, int64_t now, const std::string& budget_key = {}) {
  if (key.id.empty() || key.group.empty() || key.hash.empty()) throw StoreError("a consumer key needs an id, a group and a hash");
  if (key.budget && (key.budget->is_negative() || (key.budget_period != "monthly" && key.budget_period != "none")))
    throw StoreError("a consumer key's budget must be >= 0 with a period of monthly or none");
  const auto& r = key.rate_limits;
  db.exec("INSERT INTO consumer_keys(id, group_name, prefix, key_hash, created_at, expires_at, requests_per_minute, "
          "tokens_per_minute, tokens_per_day, budget, budget_period, budget_key) "
          "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
          {key.id, key.group, key.prefix, key.hash, now, key.expires_at, r.requests_per_minute, r.tokens_per_minute, r.tokens_per_day,
           key.budget, key.budget ? Param(key.budget_period) : Param(std::nullopt), text_or_null(budget_key)});
  ConsumerKeyRow made = key;
  made.created_at = now;
  made.last_used_at.reset();
  made.revoked_at.reset();
  made.replaced_by.clear();
  return made;
}

}  // namespace

ConsumerKeyRow SqlStore::create_consumer_key(const ConsumerKeyRow& key, int64_t now) {
  return db_->write([&] { return insert_key(*db_, key, now); });
}

std::optional<ConsumerKeyRow> SqlStore::revoke_consumer_key(const std::string& id, int64_t now) {
  return db_->write([&] {
    db_->exec("UPDATE consumer_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", {id, now});
    return key_by_id(*db_, id);
  });
}

std::optional<std::pair<ConsumerKeyRow, ConsumerKeyRow>> SqlStore::rotate_consumer_key(const std::string& id, const ConsumerKeyRow& fresh,
                                                                                      int64_t old_expires_at, int64_t now) {
  return db_->write([&]() -> std::optional<std::pair<ConsumerKeyRow, ConsumerKeyRow>> {
    // Two rotations of one key at once: the second finds it already shortened, and both succeed
    // (each makes its own successor); the old key's end is the earlier of the two.
    auto old = key_by_id(*db_, id);
    if (!old || old->revoked_at || (old->expires_at && *old->expires_at <= now)) return std::nullopt;
    ConsumerKeyRow successor = fresh;
    successor.group = old->group;
    successor.rate_limits = old->rate_limits;
    successor.budget = old->budget;
    successor.budget_period = old->budget_period;
    std::string shared_budget;
    if (old->budget) {
      auto q = db_->query("SELECT COALESCE(budget_key, id) FROM consumer_keys WHERE id = $1", {id});
      if (q.next()) shared_budget = q.text(0);
    }
    ConsumerKeyRow made = insert_key(*db_, successor, now, shared_budget);
    db_->exec("UPDATE consumer_keys SET expires_at = LEAST(COALESCE(expires_at, $2), $2), replaced_by = $3 WHERE id = $1",
              {id, old_expires_at, made.id});
    return std::make_pair(*key_by_id(*db_, id), made);
  });
}

std::vector<ConsumerKeyRow> SqlStore::list_consumer_keys() {
  return read_rows(*db_, "SELECT " + kKeyColumns + " FROM consumer_keys ORDER BY created_at, id", key_from);
}

void SqlStore::fill_key_spend(std::vector<ConsumerKeyRow>& keys, int64_t now) {
  for (auto& k : keys) {
    if (!k.budget) continue;
    auto q = db_->query("SELECT s.spent, s.reserved FROM consumer_keys k JOIN key_spend s ON s.key_id = COALESCE(k.budget_key, k.id) "
                        "WHERE k.id = $1 AND s.period_start = $2",
                        {k.id, key_period_start(k.budget_period, now)});
    if (q.next()) k.spent = q.money(0), k.reserved = q.money(1);
  }
}

void SqlStore::touch_consumer_keys(const std::vector<TokenUse>& uses) { touch_last_used(*db_, "consumer_keys", uses); }

}  // namespace kt::ledger::sql
