// A consumer key's own budget inside its team's wallet (issue 13): held in the same transaction
// as the wallet's reservation, with the same guarded UPDATE, so no number of gateways or API
// replicas can spend past it (PostgreSQL evaluates the guard on the row's newest version).
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {

std::optional<SqlStore::KeyBudget> SqlStore::key_budget_of(const std::string& key_id, int64_t now) {
  auto q = db_->query("SELECT budget, budget_period, COALESCE(budget_key, id) FROM consumer_keys WHERE id = $1", {key_id});
  if (!q.next() || q.is_null(0)) return std::nullopt;
  return KeyBudget{q.text(2), key_period_start(q.text(1), now), q.money(0)};
}

bool SqlStore::hold_key_budget(const KeyBudget& k, Money amount) {
  db_->exec("INSERT INTO key_spend(key_id, period_start) VALUES($1, $2) ON CONFLICT DO NOTHING", {k.budget_key, k.period_start});
  return db_->exec("UPDATE key_spend SET reserved = reserved + $3 WHERE key_id = $1 AND period_start = $2 AND "
                   "$4 - spent - reserved >= $3",
                   {k.budget_key, k.period_start, amount, k.budget}) == 1;
}

void SqlStore::move_key_budget(const std::string& budget_key, int64_t period_start, Money spent, Money reserved) {
  db_->exec("INSERT INTO key_spend(key_id, period_start) VALUES($1, $2) ON CONFLICT DO NOTHING", {budget_key, period_start});
  db_->exec("UPDATE key_spend SET spent = spent + $3, reserved = reserved + $4 WHERE key_id = $1 AND period_start = $2",
            {budget_key, period_start, spent, reserved});
}

}  // namespace kt::ledger::sql
