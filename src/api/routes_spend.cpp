// Spend reports per team and period, with a per-model breakdown (what `kt spend` prints).
#include "api/api_context.hpp"
#include "api/spend_attribution.hpp"
#include "wire/ledger_wire.hpp"
#include "core/period.hpp"

namespace kt::api {
namespace {

// Teams are shown by their consumer-group names where the gateway registered them.
std::string display_name(const std::vector<ledger::ConsumerGroup>& groups, const std::string& team_id) {
  std::string names;
  for (const auto& g : groups)
    if (g.team_id == team_id) names += (names.empty() ? "" : ",") + g.name;
  return names.empty() ? team_id : names;
}

}  // namespace

awaitable<void> get_spend(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  auto groups = co_await ctx.store.call([&](ledger::Store& s) { return s.list_groups(); });
  auto team = req.query("team");
  if (!team || team->empty()) {
    auto all = co_await ctx.store.call([&](ledger::Store& s) { return s.list_balances(now_unix_seconds()); });
    JsonWriter w;
    w.begin_object().key("teams").begin_array();
    for (const auto& b : all) {
      w.begin_object().field("team", display_name(groups, b.team_id)).key("wallet");
      wire::write_balance(w, b);
      w.end_object();
    }
    w.end_array().end_object();
    co_return co_await reply_json(res, 200, w.take());
  }
  std::string team_id = *team;
  for (const auto& g : groups)
    if (g.name == *team) team_id = g.team_id;
  // The period is read in the team's time zone; its label's shape gives its kind, so past
  // periods stay queryable after the team's period kind changed.
  auto spec = co_await ctx.store.call([&](ledger::Store& s) { return s.period_spec(team_id); });
  Period period = period_of(spec, now_unix_seconds());
  if (auto p = req.query("period"); p && !p->empty() && !parse_period_label(spec, *p, period))
    co_return co_await reply_error(
        res, bad_request("invalid_parameter",
                         "'period' must be a period label: 2026-04 (monthly), 2026-W15 (weekly), 2026-04-12 "
                         "(daily) or all (none)"));
  // ?by=model|day|group: the period's spend grouped (days in UTC); by=user|tag|key: grouped by the
  // decision events' attribution (spend_attribution.hpp).
  std::optional<ledger::SpendGrouping> by;
  std::optional<Attribution> by_attribution;
  if (auto b = req.query("by"); b && !b->empty()) {
    if (*b == "model") by = ledger::SpendGrouping::model;
    else if (*b == "day") by = ledger::SpendGrouping::day;
    else if (*b == "group") by = ledger::SpendGrouping::group;
    else if (*b == "user") by_attribution = Attribution::user;
    else if (*b == "tag") by_attribution = Attribution::tag;
    else if (*b == "key") by_attribution = Attribution::key;
    else co_return co_await reply_error(res, bad_request("invalid_parameter", "'by' must be model, day, group, user, tag or key"));
  }
  // A forecast for the current period only: a past one has ended.
  std::optional<ledger::Forecast> forecast;
  std::vector<ledger::SpendRow> rows;
  auto report = co_await ctx.store.call([&](ledger::Store& s) {
    const int64_t now = now_unix_seconds();
    auto r = s.spend(team_id, period, now);
    if (r && by) rows = s.spend_by(team_id, r->balance.period, *by);
    if (r && r->balance.period.start <= now && now < r->balance.period.end)
      forecast = ledger::make_forecast(r->balance, s.spend_history(team_id, now), now);
    return r;
  });
  if (!report)
    co_return co_await reply_error(res, not_found("no wallet for team '" + *team + "' in period " + period.label));
  std::optional<AttributionReport> attributed;
  if (by_attribution)
    attributed = co_await spend_by_attribution(ctx, team_id, report->balance.period, *by_attribution);
  JsonWriter w;
  w.begin_object().field("team", display_name(groups, team_id)).key("wallet");
  wire::write_balance(w, report->balance, nullptr, forecast ? &*forecast : nullptr);
  w.key("models").begin_array();
  for (const auto& m : report->models) {
    w.begin_object().field("model", m.model).field("cost", m.cost);
    w.field("prompt_tokens", m.prompt_tokens).field("completion_tokens", m.completion_tokens);
    w.field("total_tokens", m.prompt_tokens + m.completion_tokens).field("requests", m.requests);
    w.end_object();
  }
  w.end_array();
  if (attributed) {
    rows = std::move(attributed->rows);
    w.field("cache_hits", attributed->cache_hits).field("cost_saved", attributed->cost_saved);
  }
  if (by || attributed) {
    w.field("by", *req.query("by")).key("rows").begin_array();
    for (const auto& r : rows) {
      // Day keys are UTC day numbers: shown as dates.
      std::string key = by == ledger::SpendGrouping::day ? format_rfc3339(std::stoll(r.key) * 86400 * 1000000).substr(0, 10)
                                                          : r.key;
      w.begin_object().field("key", key).field("cost", r.cost).field("prompt_tokens", r.prompt_tokens);
      w.field("completion_tokens", r.completion_tokens).field("requests", r.requests).end_object();
    }
    w.end_array();
  }
  w.end_object();
  co_await reply_json(res, 200, w.take());
}

}  // namespace kt::api
