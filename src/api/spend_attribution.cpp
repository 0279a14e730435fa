#include "api/spend_attribution.hpp"

#include <simdjson.h>

#include <algorithm>
#include <limits>
#include <map>

#include "wire/sj_read.hpp"

namespace kt::api {
namespace sj = simdjson::ondemand;
namespace {

constexpr const char* kNoUser = "(none)";
constexpr const char* kNoTag = "(untagged)";

struct Attributed {
  std::string user, key_id, group;
  std::vector<std::string> tags;
  std::optional<Money> cost;
  Money saved;
  bool cache_hit = false;
  int64_t prompt = 0, completion = 0;
};

Attributed read_event(const std::string& json, sj::parser& parser) {
  Attributed a;
  simdjson::padded_string ps(json);
  auto doc = parser.iterate(ps);
  for (auto f : doc.get_object()) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "user" && v.type() == sj::json_type::string) a.user = std::string(v.get_string().value());
    else if (k == "key_id" && v.type() == sj::json_type::string) a.key_id = std::string(v.get_string().value());
    else if (k == "consumer_group" && v.type() == sj::json_type::string) a.group = std::string(v.get_string().value());
    else if (k == "tags" && v.type() == sj::json_type::array)
      for (auto t : v.get_array()) a.tags.emplace_back(t.get_string().value());
    else if (k == "cost" && !v.is_null()) a.cost = wire::detail::money_of(v);
    else if (k == "cost_saved" && !v.is_null()) a.saved = wire::detail::money_of(v);
    else if (k == "cache" && v.type() == sj::json_type::string) a.cache_hit = v.get_string().value() == "hit";
    else if (k == "usage" && v.type() == sj::json_type::object)
      for (auto u : v.get_object()) {
        std::string_view uk = u.unescaped_key().value();
        if (uk == "prompt_tokens") a.prompt = u.value().get_int64().value();
        else if (uk == "completion_tokens") a.completion = u.value().get_int64().value();
      }
  }
  return a;
}

int64_t micros_of(int64_t seconds) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1'000'000;
  return seconds >= kMax ? std::numeric_limits<int64_t>::max() : seconds * 1'000'000;
}

}  // namespace

awaitable<AttributionReport> spend_by_attribution(ApiContext& ctx, const std::string& team_id, const Period& period,
                                                  Attribution by) {
  ledger::EventExportQuery q;
  q.since_micros = micros_of(period.start);
  q.until_micros = micros_of(period.end);
  q.type = "decision";
  q.team_id = team_id;
  std::map<std::string, ledger::SpendRow> rows;
  AttributionReport out;
  sj::parser parser;
  for (;;) {
    auto page = co_await ctx.store.call([&](ledger::Store& s) { return s.export_events(q); });
    for (const auto& e : page) {
      Attributed a = read_event(e.json, parser);
      if (!a.cost) continue;  // nothing was served: nothing spent
      if (a.cache_hit) {
        ++out.cache_hits;
        out.cost_saved += a.saved;
      }
      std::vector<std::string> keys;
      if (by == Attribution::tag) keys = a.tags.empty() ? std::vector<std::string>{kNoTag} : a.tags;
      else if (by == Attribution::key) keys.push_back(!a.key_id.empty() ? a.key_id : a.group);
      else keys.push_back(a.user.empty() ? kNoUser : a.user);
      for (const auto& k : keys) {
        auto& r = rows[k];
        r.key = k;
        r.cost += *a.cost;
        r.prompt_tokens += a.prompt;
        r.completion_tokens += a.completion;
        ++r.requests;
      }
    }
    if (int64_t(page.size()) < q.limit) break;
    q.after_ts = page.back().ts_micros;
    q.after_seq = page.back().seq;
  }
  for (auto& [k, r] : rows) out.rows.push_back(std::move(r));
  std::stable_sort(out.rows.begin(), out.rows.end(), [](const auto& a, const auto& b) { return a.cost > b.cost; });
  co_return out;
}

}  // namespace kt::api
