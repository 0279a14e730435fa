// POST/GET /v1/model-pricing: the price book the gateway prices requests with.
#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "wire/ledger_wire.hpp"
#include "wire/timestamp.hpp"
#include "core/period.hpp"
#include "core/price_sanity.hpp"

namespace kt::api {
namespace {

// Unknown fields are refused so a typo ("input_cost_per_1k_token") never silently prices at 0.
std::optional<ApiError> reject_unknown(const wire::JsonFields& f, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : f.all()) {
    bool ok = false;
    for (auto n : known) ok = ok || k == n;
    if (!ok) return bad_request("unknown_field", "unknown field '" + k + "'");
  }
  return std::nullopt;
}

// effective_from / at: unix seconds (a JSON integer or a string of digits) or RFC 3339.
std::optional<int64_t> timestamp_of(const wire::JsonField& f) {
  if (f.kind != wire::JsonField::Kind::number && f.kind != wire::JsonField::Kind::string) return std::nullopt;
  return wire::parse_timestamp(f.text);
}

struct UpsertOutcome {
  ledger::PricingRow row;
  std::string conflict;  // non-empty: refused (history would be rewritten), nothing changed
};

ApiError bad_timestamp(const std::string& name) {
  return bad_request("invalid_field", "'" + name + "' must be unix seconds or an RFC 3339 UTC time, e.g. 2026-05-01T00:00:00Z");
}

}  // namespace

awaitable<void> post_model_pricing(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = wire::JsonFields::parse(req.body, err);
  if (!f) co_return co_await reply_error(res, err);
  if (auto e = reject_unknown(*f, {"model", "provider", "input_cost_per_1k_tokens", "output_cost_per_1k_tokens",
                                   "cached_input_cost_per_1k_tokens", "cache_creation_cost_per_1k_tokens", "max_output_tokens",
                                   "currency", "effective_from"}))
    co_return co_await reply_error(res, *e);
  ledger::PricingInput in;
  auto model = f->string("model", true, err);
  auto provider = f->string("provider", true, err);
  auto input = f->money("input_cost_per_1k_tokens", true, err);
  auto output = f->money("output_cost_per_1k_tokens", true, err);
  if (!model || !provider || !input || !output) co_return co_await reply_error(res, err);
  in.model = *model;
  in.provider = *provider;
  in.input_per_1k = *input;
  in.output_per_1k = *output;
  if (f->has("cached_input_cost_per_1k_tokens")) {
    in.cached_input_per_1k = f->money("cached_input_cost_per_1k_tokens", false, err);
    if (!in.cached_input_per_1k && f->get("cached_input_cost_per_1k_tokens")->kind != wire::JsonField::Kind::null)
      co_return co_await reply_error(res, err);
  }
  if (f->has("cache_creation_cost_per_1k_tokens")) {
    in.cache_creation_per_1k = f->money("cache_creation_cost_per_1k_tokens", false, err);
    if (!in.cache_creation_per_1k && f->get("cache_creation_cost_per_1k_tokens")->kind != wire::JsonField::Kind::null)
      co_return co_await reply_error(res, err);
  }
  if (f->has("max_output_tokens")) {
    auto mt = f->integer("max_output_tokens", false, err);
    // Below 2^31: the gateway multiplies it by n and a price when it reserves.
    if (!mt || *mt <= 0 || *mt > INT32_MAX)
      co_return co_await reply_error(res, bad_request("invalid_field", "field 'max_output_tokens' must be a positive integer below 2^31"));
    in.max_output_tokens = *mt;
  }
  if (auto cur = f->string("currency", false, err); cur && *cur != "USD")
    co_return co_await reply_error(res, bad_request("invalid_field", "only currency USD is supported"));
  if (const auto* ef = f->get("effective_from"); ef && ef->kind != wire::JsonField::Kind::null) {
    in.effective_from = timestamp_of(*ef);
    if (!in.effective_from) co_return co_await reply_error(res, bad_timestamp("effective_from"));
  }
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
    if (!t) co_return co_await reply_error(res, bad_timestamp("at"));
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
