// POST/GET /v1/model-pricing: the price book the gateway prices requests with.
#include "api/api_context.hpp"
#include "api/wire/json_fields.hpp"
#include "api/wire/ledger_wire.hpp"
#include "core/period.hpp"

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

}  // namespace

awaitable<void> post_model_pricing(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = wire::JsonFields::parse(req.body, err);
  if (!f) co_return co_await reply_error(res, err);
  if (auto e = reject_unknown(*f, {"model", "provider", "input_cost_per_1k_tokens", "output_cost_per_1k_tokens",
                                   "cached_input_cost_per_1k_tokens", "cache_creation_cost_per_1k_tokens", "max_output_tokens",
                                   "currency"}))
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
    if (!mt || *mt <= 0) co_return co_await reply_error(res, bad_request("invalid_field", "field 'max_output_tokens' must be a positive integer"));
    in.max_output_tokens = *mt;
  }
  if (auto cur = f->string("currency", false, err); cur && *cur != "USD")
    co_return co_await reply_error(res, bad_request("invalid_field", "only currency USD is supported"));
  auto row = co_await ctx.store.call([&](ledger::Store& s) { return s.upsert_pricing(in, now_unix_seconds()); });
  JsonWriter w;
  wire::write_pricing(w, row);
  co_await reply_json(res, 200, w.take());
}

awaitable<void> get_model_pricing(ApiContext& ctx, http::Request&, http::ResponseWriter& res) {
  auto rows = co_await ctx.store.call([&](ledger::Store& s) { return s.list_pricing(); });
  JsonWriter w;
  w.begin_array();
  for (const auto& r : rows) wire::write_pricing(w, r);
  w.end_array();
  co_await reply_json(res, 200, w.take());
}

}  // namespace kt::api
