// POST/GET /v1/model-pricing: the price book the gateway prices requests with.
#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "wire/ledger_wire.hpp"
#include "wire/pricing_input.hpp"
#include "wire/timestamp.hpp"
#include "core/period.hpp"
#include "core/price_sanity.hpp"

namespace kt::api {
namespace {

struct UpsertOutcome {
  ledger::PricingRow row;
  std::string conflict;  // non-empty: refused (history would be rewritten), nothing changed
};

}  // namespace

awaitable<void> post_model_pricing(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto decoded = wire::decode_pricing_input(req.body, err);
  if (!decoded) co_return co_await reply_error(res, err);
  const ledger::PricingInput& in = *decoded;
  // Accepted, but a price that looks entered in the wrong unit is said so in the answer.
  auto warnings = pricing_unit_warnings(in.input_per_1k, in.output_per_1k, in.cached_input_per_1k);
  // The conflict is caught on the store thread, so no exception crosses the co_await.
  auto outcome = co_await ctx.store.call([&](ledger::Store& s) {
    UpsertOutcome o;
    try {
      o.row = s.upsert_pricing(in, now_unix_seconds());
    } catch (const ledger::PricingConflict& e) {
      o.conflict = e.what();
    }
    return o;
  });
  if (!outcome.conflict.empty()) {
    // A named local, not a braced temporary inside the co_await (GCC 12 destroys those twice).
    ApiError conflict{409, "invalid_request_error", "pricing_history_conflict", outcome.conflict};
    co_return co_await reply_error(res, conflict);
  }
  JsonWriter w;
  w.begin_object();
  wire::write_pricing_fields(w, outcome.row);
  if (!warnings.empty()) {
    w.key("warnings").begin_array();
    for (const auto& m : warnings) w.value(m);
    w.end_array();
  }
  w.end_object();
  co_await reply_json(res, 200, w.take());
}

// The prices in force at ?at= (default now), each with its version and effective_from;
// ?include=scheduled appends the versions taking effect later (marked "scheduled": true), which
// is what gateways fetch so they switch on time between refreshes.
awaitable<void> get_model_pricing(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  const int64_t now = now_unix_seconds();
  int64_t at = now;
  if (auto a = req.query("at")) {
    auto t = wire::parse_timestamp(*a);
    if (!t) co_return co_await reply_error(res, wire::bad_timestamp("at"));
    at = *t;
  }
  bool with_scheduled = false;
  if (auto inc = req.query("include")) {
    if (*inc != "scheduled")
      co_return co_await reply_error(res, bad_request("invalid_field", "'include' accepts only 'scheduled'"));
    with_scheduled = true;
  }
  auto rows = co_await ctx.store.call([&](ledger::Store& s) { return s.pricing_at(at); });
  std::vector<ledger::PricingRow> later;
  if (with_scheduled)
    later = co_await ctx.store.call([&](ledger::Store& s) { return s.scheduled_pricing(at); });
  JsonWriter w;
  w.begin_array();
  for (const auto& r : rows) wire::write_pricing(w, r, with_scheduled ? std::optional<bool>(false) : std::nullopt);
  for (const auto& r : later) wire::write_pricing(w, r, true);
  w.end_array();
  co_await reply_json(res, 200, w.take());
}

}  // namespace kt::api
