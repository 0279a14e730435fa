#pragma once
// A worker's share of its consumer groups' and keys' rate limits (README "Rate limits and the
// spend-rate breaker"). Each (scope, limit) is a bucket holding slices of allowance granted by the API's
// sliding-window ledger (POST /v1/gateway/rate-grants): a request takes its share from a slice
// in-process — no API call — and only a bucket whose slices run dry asks for another (requests of
// the same bucket wait on that one call). A slice may be used for kUseWithin after it was asked
// for; what is left then goes back to the API, so the window's allowance is not stranded. The
// API counts a grant for the limit's window plus kUseWithin (and a second for clock skew between
// API replicas), so what every gateway admits in any window never exceeds the limit.
//
// Single-threaded: a worker's io_context owns it; no locks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/gateway_config.hpp"
#include "core/string_map.hpp"
#include "gateway/api_link.hpp"
#include "gateway/rate_limits/rate_admission.hpp"
#include "http/types.hpp"
#include "ledger/rate_grants.hpp"

namespace kt::gateway {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kUseWithin = std::chrono::seconds(3);
  static constexpr int64_t kSkewMs = 1000;
  // A bucket refused by the API asks again at most this often (others are refused in-process).
  static constexpr auto kRefusalMemory = std::chrono::milliseconds(500);
  // A scope unused this long, with nothing in hand, is forgotten: a minute's window (with its use
  // and skew) has passed, so the x-ratelimit-* state it kept is stale, and longer windows are
  // counted at the API (a scope used again asks afresh). Looked for every kSweepEvery.
  static constexpr auto kIdleAfter = std::chrono::seconds(64);
  static constexpr auto kSweepEvery = std::chrono::seconds(5);
  // True for a scope whose owner is gone for good (a revoked or expired key's "key:<id>").
  using ScopeGone = std::function<bool(std::string_view scope)>;

  struct Demand {
    int64_t requests = 1, tokens = 0, spend_nanos = 0;
  };
  struct Verdict {
    enum class Outcome { admitted, refused, unavailable } outcome = Outcome::admitted;
    RateAdmission admission;
    LimitKind refused_by = LimitKind::requests_per_minute;
    int64_t retry_after_ms = 0;
    bool never_fits = false;  // the request alone is more than the limit
    int64_t limit = 0, need = 0;
  };

  RateLimiter(boost::asio::io_context& ioc, ApiLink api, std::string holder, ScopeGone gone = {});
  void start();  // returns expired slices' leftovers, every half second; sweeps every kSweepEvery

  // `scope` names whose limits `r` are: a group's name, or "key:<id>" for a key made through the
  // API (ApiKeyGrant::scope); every gateway asks the API for the same scope's grants.
  boost::asio::awaitable<Verdict> admit(std::string_view scope, const config::RateLimits& r, const Demand& d);
  // Gives back all an admission took, as if it had never been (another scope refused the request).
  void cancel(RateAdmission& a);
  // The request ended: its token and spend shares become what it used (requests stay counted
  // once forwarded; a request never forwarded gives its share back).
  void settle(const RateAdmission& a, const Demand& actual);
  // x-ratelimit-{limit,remaining,reset}-{requests,tokens} for the scope (those it has limits for).
  http::Headers headers(std::string_view scope, const config::RateLimits& r);

  // Forgets the scopes idle since kIdleAfter before `now` and those `gone` names (their slices'
  // leftovers go back to the API); returns how many are left. The tick loop calls it.
  size_t sweep(Clock::time_point now);
  size_t scope_count() const { return scopes_.size(); }

 private:
  struct Slice {
    int64_t id = 0, granted = 0, left = 0;
    Clock::time_point use_until;
  };
  // A slice past its use, remembered for its window: a late settle below its estimate lowers
  // what the grant used once more.
  struct Spent {
    int64_t used = 0;
    Clock::time_point forget_at;
  };
  struct Bucket {
    LimitKind kind;
    std::string scope;
    int64_t limit = 0, window_ms = 0;
    std::deque<Slice> slices;
    int64_t debt = 0;  // used beyond what slices covered (a settle above its estimate)
    int64_t api_remaining = -1;
    Clock::time_point reset_at;
    Clock::time_point refused_until, refused_at;
    int64_t refused_need = 0, retry_after_ms = 0;
    std::shared_ptr<boost::asio::steady_timer> acquiring;
    int64_t left(Clock::time_point now) const;
  };
  using Buckets = std::vector<Bucket>;
  struct Scope {
    Buckets buckets;
    Clock::time_point last_used;
    bool idle(Clock::time_point now) const;
  };

  static Buckets make_buckets(std::string_view scope, const config::RateLimits& r);
  std::shared_ptr<Scope> scope_of(std::string_view scope, const config::RateLimits& r);
  static Buckets& buckets_of(const RateAdmission& a) { return static_cast<Scope*>(a.scope.get())->buckets; }
  bool take(Bucket& b, size_t index, int64_t amount, Clock::time_point now, RateAdmission& out);
  void give_back(Buckets& bs, const RateTake& t, int64_t amount);
  void expire(Bucket& b, Clock::time_point now);
  void retire_front(Bucket& b, Clock::time_point now);  // its leftover goes back to the API
  // Asks the API for slices of `lacking` (bucket index, need); false when it cannot be reached.
  boost::asio::awaitable<bool> acquire(Buckets& bs, std::vector<std::pair<size_t, int64_t>> lacking);
  boost::asio::awaitable<void> tick_loop();
  boost::asio::awaitable<void> send_returns();

  boost::asio::io_context& ioc_;
  ApiLink api_;
  std::string holder_;
  // An admission shares its scope until it settles, so erasing one here never pulls it away.
  StringMap<std::shared_ptr<Scope>> scopes_;
  ScopeGone gone_;
  Clock::time_point next_sweep_;
  std::vector<ledger::RateReturn> returns_;
  std::unordered_map<int64_t, Spent> spent_;  // by grant id
  bool returning_ = false;
};

// "1s", "6m0s", "1h0m0s", "20ms" (OpenAI's x-ratelimit-reset-* format).
std::string format_reset(int64_t ms);
int64_t demand_of(LimitKind k, const RateLimiter::Demand& d);

}  // namespace kt::gateway
