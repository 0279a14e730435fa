// `kt spend --team NAME` / `kt spend --all`: the tutorial's layout, money exact to the nano-dollar.
#include <simdjson.h>

#include <cstdio>
#include <optional>
#include <vector>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"
#include "core/money.hpp"

namespace kt::cli {
namespace sj = simdjson::ondemand;

namespace {

struct Wallet {
  std::string team, team_id, usage, period_start, period_end, forecast;
  Money budget, spent, reserved, leased, remaining;
};

struct ModelLine {
  std::string model;
  Money cost;
  int64_t tokens = 0, requests = 0;
};

Money money_field(sj::value v) {
  std::string_view t = v.raw_json_token();
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n')) t.remove_suffix(1);
  return Money::parse(t).value_or(Money::zero());
}

void read_wallet(sj::object o, Wallet& w) {
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "team_id") w.team_id = std::string(v.get_string().value());
    else if (k == "budget") w.budget = money_field(v);
    else if (k == "spent") w.spent = money_field(v);
    else if (k == "remaining") w.remaining = money_field(v);
    else if (k == "reserved") w.reserved = money_field(v);
    else if (k == "leased") w.leased = money_field(v);
    else if (k == "usage_percent") {
      std::string_view t = v.raw_json_token();
      while (!t.empty() && (t.back() == ' ' || t.back() == '\n')) t.remove_suffix(1);
      w.usage = t == "0" ? "0.0" : std::string(t);
    } else if (k == "period_start") w.period_start = std::string(v.get_string().value());
    else if (k == "period_end") w.period_end = std::string(v.get_string().value());
    else if (k == "forecast") w.forecast = std::string(v["summary"].get_string().value());
  }
}

std::string plural(int64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

int print_team(const std::string& body) {
  Wallet w;
  std::vector<ModelLine> models;
  simdjson::padded_string ps(body);
  sj::parser p;
  auto doc = p.iterate(ps);
  for (auto f : doc.get_object()) {
    std::string_view k = f.unescaped_key().value();
    if (k == "team") w.team = std::string(f.value().get_string().value());
    else if (k == "wallet") read_wallet(f.value().get_object(), w);
    else if (k == "models") {
      for (auto m : f.value().get_array()) {
        ModelLine line;
        for (auto mf : m.get_object()) {
          std::string_view mk = mf.unescaped_key().value();
          if (mk == "model") line.model = std::string(mf.value().get_string().value());
          else if (mk == "cost") line.cost = money_field(mf.value());
          else if (mk == "total_tokens") line.tokens = mf.value().get_int64().value();
          else if (mk == "requests") line.requests = mf.value().get_int64().value();
        }
        models.push_back(std::move(line));
      }
    }
  }
  std::printf("Team: %s\n", w.team.c_str());
  if (w.period_start.empty())
    std::printf("Period: all (prepaid wallet)\n");  // kind none: one endless period
  else
    std::printf("Period: %s to %s\n", w.period_start.c_str(), w.period_end.c_str());
  std::printf("Budget: %s\n", w.budget.to_display().c_str());
  std::printf("Spent: %s\n", w.spent.to_display().c_str());
  std::printf("Remaining: %s\n", w.remaining.to_display().c_str());
  // Only while something is held: money set aside for requests in flight or gateways' leases,
  // not spent; it is what separates Remaining from Budget - Spent.
  if (!w.reserved.is_zero()) std::printf("Reserved: %s (requests in flight)\n", w.reserved.to_display().c_str());
  if (!w.leased.is_zero()) std::printf("Leased: %s (held by gateways, not spent)\n", w.leased.to_display().c_str());
  std::printf("Usage: %s%%\n", w.usage.c_str());
  std::printf("\nBreakdown by model:\n");
  if (models.empty()) std::printf("  (no requests this period)\n");
  for (const auto& m : models)
    std::printf("  %s: %s (%s, %s)\n", m.model.c_str(), m.cost.to_display().c_str(), plural(m.tokens, "token").c_str(),
                plural(m.requests, "request").c_str());
  // After the tutorial's layout, which stays as it was.
  if (!w.forecast.empty()) std::printf("\n%s\n", w.forecast.c_str());
  return 0;
}

int print_all(const std::string& body) {
  std::vector<Wallet> rows;
  simdjson::padded_string ps(body);
  sj::parser p;
  auto doc = p.iterate(ps);
  for (auto t : doc["teams"].get_array()) {
    Wallet w;
    for (auto f : t.get_object()) {
      std::string_view k = f.unescaped_key().value();
      if (k == "team") w.team = std::string(f.value().get_string().value());
      else if (k == "wallet") read_wallet(f.value().get_object(), w);
    }
    rows.push_back(std::move(w));
  }
  std::vector<std::vector<std::string>> table{{"Team", "Budget", "Spent", "Remaining", "Usage"}};
  for (const auto& w : rows)
    table.push_back({w.team, w.budget.to_display(), w.spent.to_display(), w.remaining.to_display(), w.usage + "%"});
  std::vector<size_t> width(5, 0);
  for (const auto& r : table)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : table) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

// `kt spend --team X --by model|day|group|user|tag|key`: the period's spend grouped, as text, JSON or CSV.
int print_grouped(const std::string& body, const std::string& by, const std::string& format) {
  simdjson::padded_string ps(body);
  sj::parser p;
  auto doc = p.iterate(ps);
  std::string team;
  std::optional<int64_t> cache_hits;
  Money saved;
  if (format == "csv") std::printf("%s,cost,prompt_tokens,completion_tokens,requests\n", by.c_str());
  for (auto f : doc.get_object()) {
    std::string_view k = f.unescaped_key().value();
    if (k == "team") team = std::string(f.value().get_string().value());
    if (k == "cache_hits") cache_hits = f.value().get_int64().value();
    if (k == "cost_saved") saved = money_field(f.value());
    if (k != "rows") continue;
    if (format == "text") std::printf("Team: %s\nSpend by %s:\n", team.c_str(), by.c_str());
    for (auto r : f.value().get_array()) {
      std::string key;
      Money cost;
      int64_t prompt = 0, completion = 0, requests = 0;
      for (auto rf : r.get_object()) {
        std::string_view rk = rf.unescaped_key().value();
        if (rk == "key") key = std::string(rf.value().get_string().value());
        else if (rk == "cost") cost = money_field(rf.value());
        else if (rk == "prompt_tokens") prompt = rf.value().get_int64().value();
        else if (rk == "completion_tokens") completion = rf.value().get_int64().value();
        else if (rk == "requests") requests = rf.value().get_int64().value();
      }
      if (format == "csv")
        std::printf("%s,%s,%lld,%lld,%lld\n", key.c_str(), cost.to_decimal().c_str(), (long long)prompt,
                    (long long)completion, (long long)requests);
      else
        std::printf("  %s: %s (%s, %s)\n", key.c_str(), cost.to_display().c_str(), plural(prompt + completion, "token").c_str(),
                    plural(requests, "request").c_str());
    }
  }
  // by user|tag|key read the decision events, which also say what the response cache saved.
  if (cache_hits && format == "text")
    std::printf("Saved by the response cache: %s (%s)\n", saved.to_display().c_str(), plural(*cache_hits, "hit").c_str());
  return 0;
}

}  // namespace

int spend(const SpendArgs& a) {
  if (a.team.empty() && !a.all) {
    std::fprintf(stderr, "error: give --team NAME or --all\n");
    return 2;
  }
  if (!a.by.empty() && a.all) {
    std::fprintf(stderr, "error: --by needs --team\n");
    return 2;
  }
  if (a.format == "csv" && a.by.empty()) {
    std::fprintf(stderr, "error: --format csv needs --by\n");
    return 2;
  }
  auto api = ApiClient::from_env();
  if (!api) return 2;
  std::string q = a.all ? "/v1/spend" : "/v1/spend?team=" + url_encode(a.team);
  if (!a.by.empty()) q += "&by=" + url_encode(a.by);
  if (!a.period.empty()) q += std::string(a.all ? "?" : "&") + "period=" + url_encode(a.period);
  auto resp = api->get(q);
  if (!resp) return 1;
  if (a.format == "json") {
    std::printf("%s\n", resp->body.c_str());
    return 0;
  }
  try {
    if (!a.by.empty()) return print_grouped(resp->body, a.by, a.format);
    return a.all ? print_all(resp->body) : print_team(resp->body);
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: unexpected answer from the API\n");
    return 1;
  }
}

}  // namespace kt::cli
