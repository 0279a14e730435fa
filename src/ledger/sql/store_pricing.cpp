// The versioned price book. Every change is a row of model_pricing_history (the source of
// truth: the price in force at T is the version with the greatest effective_from <= T, ties to the
// higher version); model_pricing caches each model's latest version.
#include "ledger/pricing_rules.hpp"
#include "ledger/sql/sql_store.hpp"

namespace kt::ledger::sql {
namespace {

// The same column order from both tables, so one reader serves both.
const std::string kCacheColumns =
    "model, provider, input_per_1k, output_per_1k, cached_input_per_1k, max_output_tokens, version, updated_at, "
    "cache_creation_per_1k, effective_from";
const std::string kHistoryColumns =
    "h.model, h.provider, h.input_per_1k, h.output_per_1k, h.cached_input_per_1k, h.max_output_tokens, h.version, "
    "h.created_at, h.cache_creation_per_1k, h.effective_from";

PricingRow pricing_from(const Rows& q) {
  PricingRow r;
  r.model = q.text(0);
  r.provider = q.text(1);
  r.input_per_1k = q.money(2);
  r.output_per_1k = q.money(3);
  r.cached_input_per_1k = q.opt_money(4);
  r.max_output_tokens = q.opt_i64(5);
  r.version = q.i64(6);
  r.updated_at = q.i64(7);
  r.cache_creation_per_1k = q.opt_money(8);
  r.effective_from = q.i64(9);
  return r;
}

// Every row of one price query, in its own read transaction (`at` is its one parameter, if any).
std::vector<PricingRow> pricing_rows(Db& db, const std::string& sql, std::optional<int64_t> at = std::nullopt) {
  return db.read([&] {
    std::vector<PricingRow> out;
    auto q = at ? db.query(sql, {*at}) : db.query(sql);
    while (q.next()) out.push_back(pricing_from(q));
    return out;
  });
}

}  // namespace

PricingRow SqlStore::upsert_pricing(const PricingInput& in, int64_t now) {
  validate_pricing(in);
  return db_->write([&] {
    // Versions are read-then-written: writers changing one model's price take turns.
    db_->lock_name("keeptrusts.pricing." + in.model);
    std::optional<PricingRow> latest;
    std::optional<int64_t> max_from;
    {
      auto q = db_->query("SELECT " + kCacheColumns + " FROM model_pricing WHERE model = $1", {in.model});
      if (q.next()) latest = pricing_from(q);
    }
    {
      auto m = db_->query("SELECT MAX(effective_from) FROM model_pricing_history WHERE model = $1", {in.model});
      if (m.next()) max_from = m.opt_i64(0);
    }
    if (classify_pricing_change(in, latest, max_from, now) == PricingChange::unchanged) return *latest;
    PricingRow row;
    static_cast<PricingInput&>(row) = in;
    row.version = latest ? latest->version + 1 : 1;
    row.updated_at = now;
    row.effective_from = in.effective_from.value_or(now);
    db_->exec(
        "INSERT INTO model_pricing(" + kCacheColumns + ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT(model) DO UPDATE SET provider = excluded.provider, input_per_1k = excluded.input_per_1k, "
        "output_per_1k = excluded.output_per_1k, cached_input_per_1k = excluded.cached_input_per_1k, "
        "max_output_tokens = excluded.max_output_tokens, version = excluded.version, "
        "updated_at = excluded.updated_at, cache_creation_per_1k = excluded.cache_creation_per_1k, "
        "effective_from = excluded.effective_from",
        {row.model, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k, row.max_output_tokens,
         row.version, row.updated_at, row.cache_creation_per_1k, *row.effective_from});
    db_->exec(
        "INSERT INTO model_pricing_history(model, version, provider, input_per_1k, output_per_1k, "
        "cached_input_per_1k, max_output_tokens, effective_from, cache_creation_per_1k, created_at) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {row.model, row.version, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
         row.max_output_tokens, *row.effective_from, row.cache_creation_per_1k, row.updated_at});
    return row;
  });
}

std::vector<PricingRow> SqlStore::list_pricing() {
  return pricing_rows(*db_, "SELECT " + kCacheColumns + " FROM model_pricing ORDER BY model");
}

std::vector<PricingRow> SqlStore::pricing_at(int64_t at) {
  // A version is in force at T when no other version of its model started later (but by T), or
  // at the same time with a higher number.
  return pricing_rows(*db_,
                      "SELECT " + kHistoryColumns +
                          " FROM model_pricing_history h WHERE h.effective_from <= $1 AND NOT EXISTS ("
                          "SELECT 1 FROM model_pricing_history n WHERE n.model = h.model AND n.effective_from <= $1 "
                          "AND (n.effective_from > h.effective_from OR "
                          "(n.effective_from = h.effective_from AND n.version > h.version))) ORDER BY h.model",
                      at);
}

std::vector<PricingRow> SqlStore::scheduled_pricing(int64_t now) {
  // A later version with the same effective_from replaces a scheduled one.
  return pricing_rows(*db_,
                      "SELECT " + kHistoryColumns +
                          " FROM model_pricing_history h WHERE h.effective_from > $1 AND NOT EXISTS ("
                          "SELECT 1 FROM model_pricing_history n WHERE n.model = h.model "
                          "AND n.effective_from = h.effective_from AND n.version > h.version) "
                          "ORDER BY h.model, h.effective_from, h.version",
                      now);
}

}  // namespace kt::ledger::sql
