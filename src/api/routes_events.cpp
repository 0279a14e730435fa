// Decision and alert events: gateways ship NDJSON batches; the CLI reads the newest N.
#include <simdjson.h>

#include <cstdio>

#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "core/period.hpp"

namespace kt::api {
namespace {

// Our own timestamps: "2026-04-12T09:30:00.123456Z" (fraction optional).
int64_t parse_timestamp_micros(std::string_view ts) {
  int y, mo, d, h, mi, s;
  char buf[40] = {0};
  if (ts.size() < 20 || ts.size() >= sizeof buf) return 0;
  std::copy(ts.begin(), ts.end(), buf);
  if (std::sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return 0;
  using namespace std::chrono;
  year_month_day ymd{year{y} / month{unsigned(mo)} / day{unsigned(d)}};
  if (!ymd.ok()) return 0;
  int64_t micros = (int64_t(sys_days{ymd}.time_since_epoch().count()) * 86400 + h * 3600 + mi * 60 + s) * 1000000;
  if (ts.size() > 20 && ts[19] == '.') {
    int64_t frac = 0, scale = 100000;
    for (size_t i = 20; i < ts.size() && ts[i] >= '0' && ts[i] <= '9' && scale > 0; ++i, scale /= 10)
      frac += (ts[i] - '0') * scale;
    micros += frac;
  }
  return micros;
}

}  // namespace

awaitable<void> post_events(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  thread_local simdjson::ondemand::parser parser;
  std::vector<ledger::EventRecord> records;
  std::string_view body = req.body;
  size_t line_no = 0;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ledger::EventRecord r;
    r.json = std::string(line);
    std::string buf = wire::padded_copy(line);
    try {
      auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
      for (auto f : doc.get_object()) {
        std::string_view k = f.unescaped_key().value();
        if (k == "id") r.id = std::string(f.value().get_string().value());
        else if (k == "type") r.type = std::string(f.value().get_string().value());
        else if (k == "timestamp") r.ts_micros = parse_timestamp_micros(f.value().get_string().value());
        else if (k == "team_id") { auto v = f.value(); if (!v.is_null()) r.team_id = std::string(v.get_string().value()); }
        else if (k == "consumer_group") { auto v = f.value(); if (!v.is_null()) r.consumer_group = std::string(v.get_string().value()); }
      }
    } catch (const simdjson::simdjson_error&) {
      r.id.clear();
      r.type = "invalid";
    }
    if (r.type == "invalid")
      co_return co_await reply_error(res, bad_request("invalid_json", "event line " + std::to_string(line_no) + " is not a JSON object"));
    if (r.id.empty())
      co_return co_await reply_error(res, bad_request("invalid_field", "event line " + std::to_string(line_no) + " has no id"));
    if (r.type.empty()) r.type = "decision";
    if (r.ts_micros == 0) r.ts_micros = now_unix_micros();
    records.push_back(std::move(r));
  }
  size_t n = records.size();
  co_await ctx.store.call([&](ledger::Store& s) { s.insert_events(records); return true; });
  co_await reply_json(res, 200, "{\"accepted\":" + std::to_string(n) + "}");
}

awaitable<void> get_events(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ledger::EventQuery q;
  if (auto last = req.query("last")) {
    char* end = nullptr;
    long v = std::strtol(last->c_str(), &end, 10);
    if (last->empty() || *end || v < 1 || v > 10000)
      co_return co_await reply_error(res, bad_request("invalid_parameter", "'last' must be an integer from 1 to 10000"));
    q.last = v;
  }
  if (auto after = req.query("after_seq")) q.after_seq = std::strtoll(after->c_str(), nullptr, 10);
  if (auto type = req.query("type")) {
    if (*type != "decision" && *type != "alert" && *type != "all")
      co_return co_await reply_error(res, bad_request("invalid_parameter", "'type' must be decision, alert or all"));
    q.type = *type;
  }
  if (auto team = req.query("team"); team && !team->empty()) q.team_id = co_await resolve_team(ctx, *team);
  auto events = co_await ctx.store.call([&](ledger::Store& s) { return s.query_events(q); });
  std::string out = "[";
  int64_t last_seq = q.after_seq;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i) out += ',';
    out += events[i].json;
    last_seq = std::max(last_seq, events[i].seq);
  }
  out += ']';
  http::Headers extra{{"X-Kt-Last-Seq", std::to_string(last_seq)}};
  co_await res.send(200, "application/json", std::move(out), extra);
}

}  // namespace kt::api
