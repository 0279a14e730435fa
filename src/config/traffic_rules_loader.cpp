#include "config/traffic_rules_loader.hpp"

#include "config/schema_constants.hpp"

#include <array>

namespace kt::config {
namespace {

constexpr std::array<std::string_view, 7> kRateLimitKeys = {"requests_per_minute",  "tokens_per_minute",
                                                            "tokens_per_day",       "max_spend_per_minute",
                                                            "max_spend_per_hour",   "response_headers",
                                                            "mode"};
constexpr std::array<std::string_view, 6> kCacheKeys = {"enabled", "mode", "ttl_seconds", "max_entries", "backend", "url"};
constexpr std::array<std::string_view, 1> kCacheModes = {"exact"};
constexpr std::array<std::string_view, 2> kCacheBackends = {"memory", "redis"};
constexpr int64_t kMaxCount = 1'000'000'000'000;            // tokens a day, requests a minute: far above any quota
const Money kMaxSpendBound = Money::from_nanos(1'000'000'000'000'000);  // $1,000,000

std::optional<int64_t> positive_count(const Field& f, DiagnosticSink& sink) {
  auto v = read_int(f.value, f.path, sink);
  if (v && (*v < 1 || *v > kMaxCount)) {
    sink.error("E004", f.path, f.value.Mark(), f.path + ": must be a whole number between 1 and " + std::to_string(kMaxCount));
    return std::nullopt;
  }
  return v;
}

std::optional<Money> positive_usd(const Field& f, DiagnosticSink& sink) {
  std::optional<Money> amount;
  if (f.value.IsScalar()) amount = Money::parse(f.value.Scalar());
  if (!amount || amount->nanos() <= 0 || *amount > kMaxSpendBound) {
    sink.error("E004", f.path, f.value.Mark(),
               f.path + ": expected a positive amount in USD up to 1000000, like 0.50 (got " + describe(f.value) + ")");
    return std::nullopt;
  }
  return amount;
}

}  // namespace

RateLimits RateLimits::over(const RateLimits& d) const {
  RateLimits r = *this;
  if (!r.requests_per_minute) r.requests_per_minute = d.requests_per_minute;
  if (!r.tokens_per_minute) r.tokens_per_minute = d.tokens_per_minute;
  if (!r.tokens_per_day) r.tokens_per_day = d.tokens_per_day;
  if (!r.max_spend_per_minute) r.max_spend_per_minute = d.max_spend_per_minute;
  if (!r.max_spend_per_hour) r.max_spend_per_hour = d.max_spend_per_hour;
  if (!r.response_headers) r.response_headers = d.response_headers;
  if (!r.mode) r.mode = d.mode;
  return r;
}

bool ConsumerGroup::allows_model(std::string_view model) const {
  if (allowed_models.empty()) return true;
  for (const auto& p : allowed_models)
    if (glob_match(p, model)) return true;
  return false;
}

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative with one backtrack point: linear in practice, never exponential.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

void load_rate_limits(const Field& f, RateLimits& out, DiagnosticSink& sink) {
  if (!expect_map(f.value, f.path, sink)) return;
  MapView m(f.value, f.path, kRateLimitKeys, sink);
  if (const Field* x = m.get("requests_per_minute")) out.requests_per_minute = positive_count(*x, sink);
  if (const Field* x = m.get("tokens_per_minute")) out.tokens_per_minute = positive_count(*x, sink);
  if (const Field* x = m.get("tokens_per_day")) out.tokens_per_day = positive_count(*x, sink);
  if (const Field* x = m.get("max_spend_per_minute")) out.max_spend_per_minute = positive_usd(*x, sink);
  if (const Field* x = m.get("max_spend_per_hour")) out.max_spend_per_hour = positive_usd(*x, sink);
  if (const Field* x = m.get("response_headers")) out.response_headers = read_bool(*x, sink);
  if (const Field* x = m.get("mode"))
    if (auto v = read_choice(x->value, x->path, kModes, sink)) out.mode = *v;
}

void load_response_cache(const Field& f, ResponseCacheConfig& out, DiagnosticSink& sink) {
  if (!expect_map(f.value, f.path, sink)) return;
  MapView m(f.value, f.path, kCacheKeys, sink);
  if (const Field* x = m.get("enabled"))
    if (auto v = read_bool(*x, sink)) out.enabled = *v;
  if (const Field* x = m.get("mode"))
    if (auto v = read_choice(x->value, x->path, kCacheModes, sink)) out.mode = *v;
  if (const Field* x = m.get("backend"))
    if (auto v = read_choice(x->value, x->path, kCacheBackends, sink)) out.backend = *v;
  if (const Field* x = m.get("url")) {
    std::string why;
    auto text = read_string(x->value, x->path, sink);
    if (out.backend != "redis")
      sink.error("E004", x->path, x->value.Mark(), x->path + ": a url is only for backend: redis");
    else if (text && !(out.redis = parse_redis_url(*text, why)))
      sink.error("E004", x->path, x->value.Mark(), x->path + ": " + why);
  } else if (out.backend == "redis") {
    sink.error("E005", f.path + ".url", f.value.Mark(), f.path + ".url: backend: redis needs a url (redis://host:port)");
  }
  if (const Field* x = m.get("ttl_seconds")) {
    auto v = read_int(x->value, x->path, sink);
    if (v && (*v < 1 || *v > 7 * 86400))
      sink.error("E004", x->path, x->value.Mark(), x->path + ": must be a whole number of seconds from 1 to 604800");
    else if (v) out.ttl_seconds = *v;
  }
  if (const Field* x = m.get("max_entries")) {
    auto v = read_int(x->value, x->path, sink);
    if (v && (*v < 1 || *v > 10'000'000))
      sink.error("E004", x->path, x->value.Mark(), x->path + ": must be a whole number from 1 to 10000000");
    else if (v) out.max_entries = *v;
  }
}

void load_allowed_models(const Field& f, std::vector<std::string>& out, DiagnosticSink& sink) {
  if (!expect_list(f.value, f.path, sink)) return;
  if (f.value.size() == 0)
    sink.error("E004", f.path, f.value.Mark(), f.path + ": list at least one model (omit the key to allow every model)");
  for (size_t i = 0; i < f.value.size(); ++i)
    if (auto v = read_name(f.value[i], index_path(f.path, i), sink)) out.push_back(*v);
}

}  // namespace kt::config
