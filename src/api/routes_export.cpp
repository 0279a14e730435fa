// Exports: GET /v1/events/export pages through events in time order with a cursor, so a client
// can stream millions of them in constant memory (`kt events export`).
#include <charconv>
#include <limits>

#include "api/api_context.hpp"
#include "wire/timestamp.hpp"
#include "core/period.hpp"

namespace kt::api {
namespace {

std::optional<int64_t> whole(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// A bound given as unix seconds or RFC 3339, in microseconds.
std::optional<ApiError> bound(const http::Request& req, const char* name, int64_t& micros) {
  auto v = req.query(name);
  if (!v) return std::nullopt;
  auto secs = wire::parse_timestamp(*v);
  if (!secs)
    return bad_request("invalid_parameter", std::string("'") + name +
                                                "' must be unix seconds or an RFC 3339 time (2026-12-01T00:00:00Z)");
  micros = *secs * 1000000;
  return std::nullopt;
}

}  // namespace

// ?since=T&until=T (until defaults to now, exclusive)&cursor=C&limit=N&type=&team=
// → {"events":[...oldest first...],"next_cursor":"TS.SEQ" or null when this page is the last}
awaitable<void> get_events_export(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ledger::EventExportQuery q;
  q.until_micros = now_unix_micros() + 1;
  if (auto e = bound(req, "since", q.since_micros)) co_return co_await reply_error(res, *e);
  if (auto e = bound(req, "until", q.until_micros)) co_return co_await reply_error(res, *e);
  if (q.since_micros >= q.until_micros)
    co_return co_await reply_error(res, bad_request("invalid_parameter", "'since' must be before 'until'"));
  if (auto c = req.query("cursor"); c && !c->empty()) {
    size_t dot = c->find('.');
    auto ts = dot == std::string::npos ? std::nullopt : whole(std::string_view(*c).substr(0, dot));
    auto seq = dot == std::string::npos ? std::nullopt : whole(std::string_view(*c).substr(dot + 1));
    if (!ts || !seq) co_return co_await reply_error(res, bad_request("invalid_parameter", "'cursor' is malformed"));
    q.after_ts = *ts;
    q.after_seq = *seq;
  }
  if (auto l = req.query("limit")) {
    auto v = whole(*l);
    if (!v || *v < 1 || *v > 10000)
      co_return co_await reply_error(res, bad_request("invalid_parameter", "'limit' must be an integer from 1 to 10000"));
    q.limit = *v;
  }
  if (auto type = req.query("type")) {
    if (*type != "decision" && *type != "alert" && *type != "all")
      co_return co_await reply_error(res, bad_request("invalid_parameter", "'type' must be decision, alert or all"));
    q.type = *type;
  }
  if (auto team = req.query("team"); team && !team->empty()) q.team_id = co_await resolve_team(ctx, *team);
  auto events = co_await ctx.store.call([&](ledger::Store& s) { return s.export_events(q); });
  std::string out = "{\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i) out += ",\n";
    out += events[i].json;
  }
  out += "],\"next_cursor\":";
  if (int64_t(events.size()) == q.limit)
    out += "\"" + std::to_string(events.back().ts_micros) + "." + std::to_string(events.back().seq) + "\"";
  else
    out += "null";
  out += "}";
  co_await reply_json(res, 200, std::move(out));
}

}  // namespace kt::api
