#include "gateway/rate_limits/rate_limiter.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "wire/rate_wire.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kCallTimeout = 5000ms;
constexpr int kAdmitRounds = 4;

int64_t ms_between(RateLimiter::Clock::time_point a, RateLimiter::Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

}  // namespace

const char* limit_name(LimitKind k) {
  switch (k) {
    case LimitKind::requests_per_minute: return "requests_per_minute";
    case LimitKind::tokens_per_minute: return "tokens_per_minute";
    case LimitKind::tokens_per_day: return "tokens_per_day";
    case LimitKind::max_spend_per_minute: return "max_spend_per_minute";
    case LimitKind::max_spend_per_hour: return "max_spend_per_hour";
  }
  return "";
}

int64_t demand_of(LimitKind k, const RateLimiter::Demand& d) {
  switch (k) {
    case LimitKind::requests_per_minute: return d.requests;
    case LimitKind::tokens_per_minute:
    case LimitKind::tokens_per_day: return d.tokens;
    default: return d.spend_nanos;
  }
}

std::string format_reset(int64_t ms) {
  if (ms <= 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  int64_t s = (ms + 999) / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m" + std::to_string(s % 60) + "s";
}

int64_t RateLimiter::Bucket::left(Clock::time_point now) const {
  int64_t n = 0;
  for (const auto& s : slices)
    if (s.use_until > now && s.left > 0) n += s.left;
  return n;
}

RateLimiter::RateLimiter(asio::io_context& ioc, ApiLink api, std::string holder, ScopeGone gone)
    : ioc_(ioc), api_(std::move(api)), holder_(std::move(holder)), gone_(std::move(gone)) {}

bool RateLimiter::Scope::idle(Clock::time_point now) const {
  if (now - last_used < kIdleAfter) return false;
  return std::all_of(buckets.begin(), buckets.end(), [](const Bucket& b) { return b.slices.empty() && b.debt == 0 && !b.acquiring; });
}

void RateLimiter::start() { asio::co_spawn(ioc_, tick_loop(), asio::detached); }

std::shared_ptr<RateLimiter::Scope> RateLimiter::scope_of(std::string_view scope, const config::RateLimits& r) {
  auto it = scopes_.find(scope);
  if (it == scopes_.end()) it = scopes_.emplace(std::string(scope), std::make_shared<Scope>(Scope{make_buckets(scope, r), {}})).first;
  it->second->last_used = Clock::now();
  return it->second;
}

RateLimiter::Buckets RateLimiter::make_buckets(std::string_view scope, const config::RateLimits& r) {
  Buckets bs;
  auto add = [&](LimitKind k, std::optional<int64_t> limit, int64_t window_s) {
    if (!limit) return;
    Bucket b;
    b.kind = k;
    b.scope = std::string(scope) + "/" + limit_name(k);
    b.limit = *limit;
    b.window_ms = window_s * 1000 + std::chrono::duration_cast<std::chrono::milliseconds>(kUseWithin).count() + kSkewMs;
    bs.push_back(std::move(b));
  };
  auto nanos = [](const std::optional<Money>& m) { return m ? std::optional<int64_t>(m->nanos()) : std::nullopt; };
  add(LimitKind::requests_per_minute, r.requests_per_minute, 60);
  add(LimitKind::tokens_per_minute, r.tokens_per_minute, 60);
  add(LimitKind::tokens_per_day, r.tokens_per_day, 86400);
  add(LimitKind::max_spend_per_minute, nanos(r.max_spend_per_minute), 60);
  add(LimitKind::max_spend_per_hour, nanos(r.max_spend_per_hour), 3600);
  return bs;
}

size_t RateLimiter::sweep(Clock::time_point now) {
  std::erase_if(scopes_, [&](const auto& kv) {
    for (auto& b : kv.second->buckets) expire(b, now);
    const bool gone = gone_ && gone_(kv.first);
    if (!gone && (kv.second.use_count() > 1 || !kv.second->idle(now))) return false;
    for (auto& b : kv.second->buckets)
      while (!b.slices.empty()) retire_front(b, now);
    return true;
  });
  return scopes_.size();
}

void RateLimiter::retire_front(Bucket& b, Clock::time_point now) {
  const Slice& s = b.slices.front();
  int64_t used = s.granted - std::max<int64_t>(0, s.left);
  if (used < s.granted) returns_.push_back({s.id, used});
  spent_[s.id] = Spent{used, now + std::chrono::milliseconds(b.window_ms)};
  b.slices.pop_front();
}

void RateLimiter::expire(Bucket& b, Clock::time_point now) {
  while (!b.slices.empty() && (b.slices.front().use_until <= now || b.slices.front().left <= 0)) retire_front(b, now);
}

bool RateLimiter::take(Bucket& b, size_t index, int64_t amount, Clock::time_point now, RateAdmission& out) {
  if (b.left(now) < amount) return false;
  // From the oldest slice first: it is the first to go back.
  for (auto& s : b.slices) {
    if (amount == 0) break;
    if (s.use_until <= now || s.left <= 0) continue;
    int64_t n = std::min(s.left, amount);
    s.left -= n;
    amount -= n;
    out.takes.push_back({index, s.id, n});
  }
  return true;
}

void RateLimiter::give_back(Buckets& bs, const RateTake& t, int64_t amount) {
  Bucket& b = bs[t.bucket];
  for (auto& s : b.slices)
    if (s.id == t.slice_id) {
      s.left += amount;  // may pay a debt of this slice (amount < 0) down to below zero
      if (s.left < 0) {
        b.debt -= s.left;
        s.left = 0;
      }
      return;
    }
  // The slice is past its use: what it used changes once more, or the extra is owed.
  auto it = spent_.find(t.slice_id);
  if (amount > 0 && it != spent_.end()) {
    it->second.used = std::max<int64_t>(0, it->second.used - amount);
    returns_.push_back({t.slice_id, it->second.used});
  } else if (amount < 0) {
    b.debt -= amount;
  }
}

asio::awaitable<RateLimiter::Verdict> RateLimiter::admit(std::string_view scope, const config::RateLimits& r, const Demand& d) {
  auto held = scope_of(scope, r);
  Buckets& bs = held->buckets;
  Verdict v;
  v.admission.scope = std::move(held);
  std::vector<bool> done(bs.size(), false);
  auto refuse = [&](size_t i, int64_t need, int64_t retry_ms, bool never) {
    for (const auto& t : v.admission.takes) give_back(bs, t, t.amount);
    v.admission.takes.clear();
    v.outcome = Verdict::Outcome::refused;
    v.refused_by = bs[i].kind;
    v.retry_after_ms = std::max<int64_t>(1, retry_ms);
    v.never_fits = never;
    v.limit = bs[i].limit;
    v.need = need;
  };
  for (int round = 0; round < kAdmitRounds; ++round) {
    const auto now = Clock::now();
    std::vector<std::pair<size_t, int64_t>> lacking;
    std::shared_ptr<asio::steady_timer> wait_on;
    for (size_t i = 0; i < bs.size(); ++i) {
      Bucket& b = bs[i];
      const int64_t need = demand_of(b.kind, d);
      if (done[i] || need <= 0) continue;
      if (need > b.limit) {
        refuse(i, need, b.window_ms, true);
        co_return v;
      }
      expire(b, now);
      if (take(b, i, need, now, v.admission)) {
        done[i] = true;
      } else if (now < b.refused_until && need >= b.refused_need) {
        refuse(i, need, b.retry_after_ms - ms_between(b.refused_at, now), false);
        co_return v;
      } else if (b.acquiring) {
        wait_on = b.acquiring;
      } else {
        lacking.emplace_back(i, need);
      }
    }
    if (lacking.empty() && !wait_on) co_return v;  // every limit had room
    if (!lacking.empty()) {
      if (!co_await acquire(bs, std::move(lacking))) {
        for (const auto& t : v.admission.takes) give_back(bs, t, t.amount);
        v.admission.takes.clear();
        v.outcome = Verdict::Outcome::unavailable;
        co_return v;
      }
    } else {
      boost::system::error_code ec;
      co_await wait_on->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  // Still short after asking: other requests took each fresh slice first.
  for (size_t i = 0; i < bs.size(); ++i)
    if (!done[i] && demand_of(bs[i].kind, d) > 0) {
      refuse(i, demand_of(bs[i].kind, d), 1000, false);
      break;
    }
  co_return v;
}

asio::awaitable<bool> RateLimiter::acquire(Buckets& bs, std::vector<std::pair<size_t, int64_t>> lacking) {
  auto timer = std::make_shared<asio::steady_timer>(ioc_, asio::steady_timer::time_point::max());
  // A short bucket's slices go back in the same call, ahead of its ask: what settles gave back
  // to them (estimates above usage) is then room in the API's window, not stranded here.
  for (auto& [i, need] : lacking)
    while (!bs[i].slices.empty()) retire_front(bs[i], Clock::now());
  wire::RateGrantBatch batch;
  batch.returns = std::move(returns_);
  returns_.clear();
  for (auto& [i, need] : lacking) {
    Bucket& b = bs[i];
    b.acquiring = timer;
    if (need + b.debt > b.limit) b.debt = 0;  // a debt that could never be paid is forgiven
    int64_t must = need + b.debt;
    int64_t slice = std::max<int64_t>(1, b.limit / 20);
    batch.grants.push_back({b.scope, holder_, b.limit, b.window_ms, std::max(must, slice), must});
  }
  const auto sent = Clock::now();
  std::optional<std::vector<ledger::RateGrant>> grants;
  try {
    auto resp = co_await api_.pool->request(api_.url, api_.make("POST", "/v1/gateway/rate-grants", wire::encode_rate_batch(batch)),
                                            kCallTimeout);
    api_.note_status(resp.status);
    if (resp.status == 200) grants = wire::decode_rate_grants(resp.body);
    else spdlog::warn("rate grants refused by the API: HTTP {}", resp.status);
  } catch (const std::exception& e) {
    spdlog::warn("rate grants failed: {}", e.what());
  }
  const auto now = Clock::now();
  const bool ok = grants && grants->size() == lacking.size();
  if (!ok) returns_.insert(returns_.end(), batch.returns.begin(), batch.returns.end());  // idempotent: sent again
  for (size_t k = 0; k < lacking.size(); ++k) {
    Bucket& b = bs[lacking[k].first];
    b.acquiring.reset();
    if (!ok) continue;
    const auto& g = (*grants)[k];
    b.api_remaining = g.remaining;
    b.reset_at = now + std::chrono::milliseconds(g.reset_ms);
    if (g.granted > 0) {
      int64_t paid = std::min(b.debt, g.granted);
      b.debt -= paid;
      b.slices.push_back({g.id, g.granted, g.granted - paid, sent + kUseWithin});
      b.refused_until = {};
    } else {
      b.refused_at = now;
      b.refused_until = now + std::min<std::chrono::milliseconds>(kRefusalMemory, std::chrono::milliseconds(g.retry_after_ms));
      b.refused_need = batch.grants[k].need;
      b.retry_after_ms = g.retry_after_ms;
    }
  }
  timer->cancel();
  co_return ok;
}

void RateLimiter::cancel(RateAdmission& a) {
  if (!a.scope) return;
  for (const auto& t : a.takes) give_back(buckets_of(a), t, t.amount);
  a.takes.clear();
}

void RateLimiter::settle(const RateAdmission& a, const Demand& actual) {
  if (!a.scope) return;
  Buckets& bs = buckets_of(a);
  // The estimate was taken per bucket (maybe from several slices): what it overshot goes back
  // to the newest of them first, what it fell short of is taken from there or owed.
  std::vector<int64_t> taken(bs.size(), 0);
  for (const auto& t : a.takes) taken[t.bucket] += t.amount;
  for (auto t = a.takes.rbegin(); t != a.takes.rend(); ++t) {
    int64_t diff = taken[t->bucket] - demand_of(bs[t->bucket].kind, actual);
    if (diff == 0) continue;
    int64_t back = diff > 0 ? std::min(diff, t->amount) : diff;
    give_back(bs, *t, back);
    taken[t->bucket] -= back;
  }
}

http::Headers RateLimiter::headers(std::string_view scope, const config::RateLimits& r) {
  http::Headers h;
  const auto held = scope_of(scope, r);
  const auto now = Clock::now();
  for (const auto& b : held->buckets) {
    const char* what = b.kind == LimitKind::requests_per_minute ? "requests"
                       : b.kind == LimitKind::tokens_per_minute ? "tokens"
                                                                : nullptr;
    if (!what) continue;
    int64_t remaining = std::max<int64_t>(0, b.api_remaining) + b.left(now);
    if (b.api_remaining < 0) remaining = b.limit;  // nothing asked yet
    h.emplace_back(std::string("x-ratelimit-limit-") + what, std::to_string(b.limit));
    h.emplace_back(std::string("x-ratelimit-remaining-") + what, std::to_string(std::min(remaining, b.limit)));
    h.emplace_back(std::string("x-ratelimit-reset-") + what, format_reset(std::max<int64_t>(0, ms_between(now, b.reset_at))));
  }
  return h;
}

asio::awaitable<void> RateLimiter::send_returns() {
  auto batch = wire::RateGrantBatch{{}, std::move(returns_)};
  returns_.clear();
  bool ok = false;
  try {
    auto resp = co_await api_.pool->request(api_.url, api_.make("POST", "/v1/gateway/rate-grants", wire::encode_rate_batch(batch)),
                                            kCallTimeout);
    api_.note_status(resp.status);
    ok = resp.status == 200;
  } catch (const std::exception& e) {
    spdlog::debug("rate grant returns failed: {}", e.what());
  }
  if (!ok) returns_.insert(returns_.end(), batch.returns.begin(), batch.returns.end());
  returning_ = false;
}

asio::awaitable<void> RateLimiter::tick_loop() {
  asio::steady_timer t(ioc_);
  for (;;) {
    t.expires_after(500ms);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const auto now = Clock::now();
    for (auto& [name, scope] : scopes_)
      for (auto& b : scope->buckets) expire(b, now);
    if (now >= next_sweep_) {
      sweep(now);
      next_sweep_ = now + kSweepEvery;
    }
    std::erase_if(spent_, [&](const auto& kv) { return kv.second.forget_at <= now; });
    if (!returns_.empty() && !returning_) {
      returning_ = true;
      co_await send_returns();
    }
  }
}

}  // namespace kt::gateway
