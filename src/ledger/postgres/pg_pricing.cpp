// The versioned price book (see sqlite_pricing.cpp for the design; the same SQL semantics).
#include "ledger/ledger_rules.hpp"
#include "ledger/postgres/pg_store.hpp"
#include "ledger/pricing_rules.hpp"

namespace kt::ledger::postgres {
namespace {

// The same column order from both tables, so one reader serves both.
const std::string kCacheColumns =
    "model, provider, input_per_1k, output_per_1k, cached_input_per_1k, max_output_tokens, version, updated_at, "
    "cache_creation_per_1k, effective_from";
const std::string kHistoryColumns =
    "h.model, h.provider, h.input_per_1k, h.output_per_1k, h.cached_input_per_1k, h.max_output_tokens, h.version, "
    "h.created_at, h.cache_creation_per_1k, h.effective_from";

PricingRow pricing_from(const Result& q, int row) {
  PricingRow r;
  r.model = q.text(row, 0);
  r.provider = q.text(row, 1);
  r.input_per_1k = q.money(row, 2);
  r.output_per_1k = q.money(row, 3);
  r.cached_input_per_1k = q.opt_money(row, 4);
  r.max_output_tokens = q.opt_i64(row, 5);
  r.version = q.i64(row, 6);
  r.updated_at = q.i64(row, 7);
  r.cache_creation_per_1k = q.opt_money(row, 8);
  r.effective_from = q.i64(row, 9);
  return r;
}


// Every row of one price query, read in its own transaction.
template <class... A>
std::vector<PricingRow> pricing_rows(Connection& db, const std::string& sql, const A&... args) {
  return db.transaction([&] {
    std::vector<PricingRow> out;
    auto q = db.query(sql, args...);
    for (int i = 0; i < q.rows(); ++i) out.push_back(pricing_from(q, i));
    return out;
  });
}

}  // namespace

PricingRow PostgresStore::upsert_pricing(const PricingInput& in, int64_t now) {
  validate_pricing(in);

  return db_.transaction([&] {
    // Versions are read-then-written: replicas changing one model's price take turns.
    db_.query("SELECT pg_advisory_xact_lock(hashtext('keeptrusts.pricing.' || $1::text))", in.model);
    std::optional<PricingRow> latest;
    auto q = db_.query("SELECT " + kCacheColumns + " FROM model_pricing WHERE model = $1", in.model);
    if (!q.empty()) latest = pricing_from(q, 0);
    auto m = db_.query("SELECT MAX(effective_from) FROM model_pricing_history WHERE model = $1", in.model);
    std::optional<int64_t> max_from = m.opt_i64(0, 0);
    if (classify_pricing_change(in, latest, max_from, now) == PricingChange::unchanged) return *latest;
    PricingRow row;
    static_cast<PricingInput&>(row) = in;
    row.version = latest ? latest->version + 1 : 1;
    row.updated_at = now;
    row.effective_from = in.effective_from.value_or(now);
    db_.query(
        "INSERT INTO model_pricing(" + kCacheColumns + ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT(model) DO UPDATE SET provider = excluded.provider, input_per_1k = excluded.input_per_1k, "
        "output_per_1k = excluded.output_per_1k, cached_input_per_1k = excluded.cached_input_per_1k, "
        "max_output_tokens = excluded.max_output_tokens, version = excluded.version, "
        "updated_at = excluded.updated_at, cache_creation_per_1k = excluded.cache_creation_per_1k, "
        "effective_from = excluded.effective_from",
        row.model, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
        row.max_output_tokens, row.version, row.updated_at, row.cache_creation_per_1k, *row.effective_from);
    db_.query(
        "INSERT INTO model_pricing_history(model, version, provider, input_per_1k, output_per_1k, "
        "cached_input_per_1k, max_output_tokens, effective_from, cache_creation_per_1k, created_at) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        row.model, row.version, row.provider, row.input_per_1k, row.output_per_1k, row.cached_input_per_1k,
        row.max_output_tokens, *row.effective_from, row.cache_creation_per_1k, row.updated_at);
    return row;
  });
}

std::vector<PricingRow> PostgresStore::list_pricing() {
  return pricing_rows(db_, "SELECT " + kCacheColumns + " FROM model_pricing ORDER BY model");
}

std::vector<PricingRow> PostgresStore::pricing_at(int64_t at) {
  // The latest effective_from <= T per model, ties to the higher version.
  return pricing_rows(db_,
                      "SELECT DISTINCT ON (h.model) " + kHistoryColumns +
                          " FROM model_pricing_history h WHERE h.effective_from <= $1 "
                          "ORDER BY h.model, h.effective_from DESC, h.version DESC",
                      at);
}

std::vector<PricingRow> PostgresStore::scheduled_pricing(int64_t now) {
  // A later version with the same effective_from replaces a scheduled one.
  return pricing_rows(db_,
                      "SELECT DISTINCT ON (h.model, h.effective_from) " + kHistoryColumns +
                          " FROM model_pricing_history h WHERE h.effective_from > $1 "
                          "ORDER BY h.model, h.effective_from, h.version DESC",
                      now);
}

}  // namespace kt::ledger::postgres
