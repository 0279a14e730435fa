// Wallet routes: allocate a team's budget for the period, read balances.
#include <limits>

#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "wire/ledger_wire.hpp"
#include "core/period.hpp"

namespace kt::api {

awaitable<std::string> resolve_team(ApiContext& ctx, const std::string& name_or_id) {
  auto groups = co_await ctx.store.call([&](ledger::Store& s) { return s.list_groups(); });
  for (const auto& g : groups)
    if (g.name == name_or_id) co_return g.team_id;
  co_return name_or_id;
}

awaitable<void> post_allocate(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = wire::JsonFields::parse(req.body, err);
  if (!f) co_return co_await reply_error(res, err);
  for (const auto& [k, v] : f->all())
    if (k != "team_id" && k != "amount" && k != "currency" && k != "description" && k != "period" && k != "timezone")
      co_return co_await reply_error(res, bad_request("unknown_field", "unknown field '" + k + "'"));
  auto team = f->string("team_id", true, err);
  auto amount = f->money("amount", true, err);
  if (!team || !amount) co_return co_await reply_error(res, err);
  std::string currency = f->string("currency", false, err).value_or("USD");
  if (currency != "USD") co_return co_await reply_error(res, bad_request("invalid_field", "only currency USD is supported"));
  std::string description = f->string("description", false, err).value_or("");
  // Budget periods: "period" and "timezone" are optional; either one given sets the team's
  // spec (the other keeps its default: monthly, UTC). Validated before anything changes.
  std::optional<PeriodSpec> spec;
  if (f->has("period") || f->has("timezone")) {
    auto kind = f->string("period", false, err);
    auto zone = f->string("timezone", false, err);
    if (!err.message.empty()) co_return co_await reply_error(res, err);
    spec.emplace();
    if (kind && !parse_period_kind(*kind, spec->kind))
      co_return co_await reply_error(
          res, bad_request("invalid_field", "'period' must be one of monthly, weekly, daily, none"));
    if (zone) spec->timezone = *zone;
    std::string zone_error;
    if (!valid_timezone(spec->timezone, &zone_error))
      co_return co_await reply_error(res, bad_request("invalid_field", "'timezone': " + zone_error));
  }
  auto result = co_await ctx.store.call([&](ledger::Store& s) {
    return s.allocate(*team, *amount, currency, description, now_unix_seconds(), spec);
  });
  JsonWriter w;
  w.begin_object();
  w.field("entry_id", result.entry_id).field("team_id", *team).field("amount", *amount);
  w.field("currency", currency).field("description", description);
  w.key("balance");
  wire::write_balance(w, result.balance);
  w.end_object();
  co_await reply_json(res, 200, w.take());
}

// POST /v1/wallets/credit {"team_id","amount","description"?}: tops up the current period.
awaitable<void> post_credit(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = wire::JsonFields::parse(req.body, err);
  if (!f) co_return co_await reply_error(res, err);
  for (const auto& [k, v] : f->all())
    if (k != "team_id" && k != "amount" && k != "description")
      co_return co_await reply_error(res, bad_request("unknown_field", "unknown field '" + k + "'"));
  auto team = f->string("team_id", true, err);
  auto amount = f->money("amount", true, err);
  if (!team || !amount) co_return co_await reply_error(res, err);
  if (*amount <= Money::zero())
    co_return co_await reply_error(res, bad_request("invalid_field", "'amount' must be greater than 0"));
  auto description = f->string("description", false, err);
  if (!err.message.empty()) co_return co_await reply_error(res, err);
  std::string desc = description.value_or("");
  std::string team_id = co_await resolve_team(ctx, *team);
  auto result = co_await ctx.store.call([&](ledger::Store& s) {
    return s.credit(team_id, *amount, desc, now_unix_seconds());
  });
  if (!result)
    co_return co_await reply_error(res, not_found("no wallet for team '" + *team + "': allocate one first"));
  JsonWriter w;
  w.begin_object();
  w.field("entry_id", result->entry_id).field("team_id", team_id).field("amount", *amount);
  w.field("description", desc);
  w.key("balance");
  wire::write_balance(w, result->balance);
  w.end_object();
  co_await reply_json(res, 200, w.take());
}

namespace {

// Each team's forecast comes with its balance (docs/api.md "Forecasts"); ?forecast=false leaves it out
// for a caller that wants a balance that stays still while nothing is spent (a forecast moves with
// the clock). It reads the spend rollups: a handful of indexed rows, whatever the traffic.
std::optional<ApiError> wants_forecast(const http::Request& req, bool& out) {
  auto v = req.query("forecast");
  out = !v || *v == "true";
  if (v && *v != "true" && *v != "false") return bad_request("invalid_parameter", "'forecast' must be true or false");
  return std::nullopt;
}

}  // namespace

awaitable<void> get_balance(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  bool with_forecast = false;
  if (auto e = wants_forecast(req, with_forecast)) co_return co_await reply_error(res, *e);
  auto team = req.query("team_id");
  if (!team || team->empty()) team = req.query("team");
  if (!team || team->empty())
    co_return co_await reply_error(res, bad_request("missing_parameter", "query parameter 'team_id' is required"));
  std::string team_id = co_await resolve_team(ctx, *team);
  std::vector<ledger::GatewayLogState> logs;
  ledger::Forecast forecast;
  auto bal = co_await ctx.store.call([&](ledger::Store& s) {
    int64_t now = now_unix_seconds();
    logs = s.gateway_logs(std::numeric_limits<int64_t>::max());  // the open ones: their reports of what is not applied yet
    auto b = s.balance(team_id, now);
    if (b && with_forecast) forecast = ledger::make_forecast(*b, s.spend_history(team_id, now), now);
    return b;
  });
  if (!bal) co_return co_await reply_error(res, not_found("no wallet for team '" + *team + "': allocate one first"));
  JsonWriter w;
  wire::write_balance(w, *bal, &logs, with_forecast ? &forecast : nullptr);
  co_await reply_json(res, 200, w.take());
}

awaitable<void> get_wallets(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  bool with_forecast = false;
  if (auto e = wants_forecast(req, with_forecast)) co_return co_await reply_error(res, *e);
  std::vector<ledger::GatewayLogState> logs;
  std::vector<ledger::Forecast> forecasts;
  auto all = co_await ctx.store.call([&](ledger::Store& s) {
    int64_t now = now_unix_seconds();
    logs = s.gateway_logs(std::numeric_limits<int64_t>::max());
    auto balances = s.list_balances(now);
    if (with_forecast)
      for (const auto& b : balances) forecasts.push_back(ledger::make_forecast(b, s.spend_history(b.team_id, now), now));
    return balances;
  });
  JsonWriter w;
  w.begin_array();
  for (size_t i = 0; i < all.size(); ++i) wire::write_balance(w, all[i], &logs, with_forecast ? &forecasts[i] : nullptr);
  w.end_array();
  co_await reply_json(res, 200, w.take());
}

}  // namespace kt::api
