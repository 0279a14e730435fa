// The rate limiter forgets what it no longer needs (rate_limiter.hpp): a scope idle for
// kIdleAfter with nothing in hand, and at once a scope whose key was revoked (its slice's
// leftover goes back to the API), while a request still open keeps its scope and a live scope
// keeps its slices. Against a real HTTP server on loopback playing POST /v1/gateway/rate-grants.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <mutex>
#include <set>

#include "../http/loopback_server.hpp"
#include "gateway/rate_limits/rate_limiter.hpp"
#include "wire/rate_wire.hpp"

namespace kt::gateway {
namespace {

using http::test_support::LoopbackServer;

// Grants every ask in full, ids 1, 2, ...; remembers the returns it is sent.
struct FakeRateApi {
  std::mutex mu;
  int calls = 0;
  int64_t next_id = 1;
  std::vector<ledger::RateReturn> returns;

  LoopbackServer start() {
    return LoopbackServer([this](http::Request& req, http::ResponseWriter& w) -> boost::asio::awaitable<void> {
      std::string body;
      {
        std::lock_guard lock(mu);
        ++calls;
        ApiError err;
        auto batch = wire::decode_rate_batch(req.body, err);
        std::vector<ledger::RateGrant> grants;
        if (batch) {
          returns.insert(returns.end(), batch->returns.begin(), batch->returns.end());
          for (const auto& ask : batch->grants) grants.push_back({next_id++, ask.want, ask.limit - ask.want, 0, 60'000});
        }
        body = wire::encode_rate_grants(grants);
      }
      co_await w.send(200, "application/json", std::move(body));
    });
  }
  int call_count() {
    std::lock_guard lock(mu);
    return calls;
  }
};

config::RateLimits per_minute(int64_t requests) {
  config::RateLimits r;
  r.requests_per_minute = requests;
  return r;
}

struct Harness {
  FakeRateApi api;
  LoopbackServer server = api.start();
  boost::asio::io_context ioc;
  http::ClientPool pool{ioc};
  std::set<std::string> revoked;
  RateLimiter limiter{ioc, ApiLink{server.url(), "tok_gateway", &pool, nullptr}, "gw-w0",
                      [this](std::string_view scope) { return revoked.count(std::string(scope)) > 0; }};

  RateLimiter::Verdict admit(const std::string& scope, int64_t limit = 100) {
    RateLimiter::Verdict v;
    boost::asio::co_spawn(ioc, [&]() -> boost::asio::awaitable<void> { v = co_await limiter.admit(scope, per_minute(limit), {}); },
                          boost::asio::detached);
    ioc.restart();
    ioc.run();
    return v;
  }
};

using Outcome = RateLimiter::Verdict::Outcome;

TEST(RateLimiterSweep, ScopesIdleForAWindowAreForgottenAndAskAfreshWhenUsedAgain) {
  Harness h;
  const auto first_use = RateLimiter::Clock::now();
  for (int i = 0; i < 40; ++i) {
    auto v = h.admit("key:k" + std::to_string(i));
    ASSERT_EQ(v.outcome, Outcome::admitted);
    h.limiter.settle(v.admission, {1, 0, 0});
  }
  EXPECT_EQ(h.api.call_count(), 40);
  const auto last_use = RateLimiter::Clock::now();
  EXPECT_EQ(h.limiter.sweep(last_use), 40u);  // used just now: kept
  EXPECT_EQ(h.limiter.sweep(first_use + RateLimiter::kIdleAfter - std::chrono::milliseconds(1)), 40u);
  EXPECT_EQ(h.limiter.sweep(last_use + RateLimiter::kIdleAfter), 0u);
  EXPECT_EQ(h.limiter.scope_count(), 0u);

  // Used again: a fresh scope, a fresh grant, the same answer.
  auto v = h.admit("key:k0");
  EXPECT_EQ(v.outcome, Outcome::admitted);
  EXPECT_EQ(h.limiter.scope_count(), 1u);
  EXPECT_EQ(h.api.call_count(), 41);
}

TEST(RateLimiterSweep, AnOpenRequestKeepsItsScopeUntilItLetsGo) {
  Harness h;
  auto v = h.admit("team-a");
  ASSERT_EQ(v.outcome, Outcome::admitted);
  const auto later = RateLimiter::Clock::now() + RateLimiter::kIdleAfter + std::chrono::seconds(1);
  EXPECT_EQ(h.limiter.sweep(later), 1u);
  h.limiter.settle(v.admission, {1, 0, 0});
  v.admission.scope.reset();  // the request's context is gone
  EXPECT_EQ(h.limiter.sweep(later), 0u);
}

TEST(RateLimiterSweep, ARevokedKeysScopeGoesAtOnceWithItsLeftoverAndLiveKeysKeepTheirSlices) {
  Harness h;
  // Limit 100: a slice is max(need, limit/20) = 5 requests.
  auto a = h.admit("key:a"), b = h.admit("key:b");
  ASSERT_EQ(a.outcome, Outcome::admitted);
  ASSERT_EQ(b.outcome, Outcome::admitted);
  const int64_t a_slice = a.admission.takes.at(0).slice_id;
  h.limiter.settle(a.admission, {1, 0, 0});
  h.limiter.settle(b.admission, {1, 0, 0});
  a.admission.scope.reset();
  EXPECT_EQ(h.api.call_count(), 2);

  h.revoked.insert("key:a");
  EXPECT_EQ(h.limiter.sweep(RateLimiter::Clock::now()), 1u);  // key:b is not idle: kept

  // key:b's slice is still in hand: no call to the API.
  auto b2 = h.admit("key:b");
  EXPECT_EQ(b2.outcome, Outcome::admitted);
  EXPECT_EQ(h.api.call_count(), 2);
  EXPECT_EQ(b2.admission.takes.at(0).slice_id, b.admission.takes.at(0).slice_id);

  // The next call to the API carries key:a's return: 1 request used of the 5 granted.
  auto c = h.admit("key:c");
  EXPECT_EQ(c.outcome, Outcome::admitted);
  std::lock_guard lock(h.api.mu);
  ASSERT_EQ(h.api.returns.size(), 1u);
  EXPECT_EQ(h.api.returns[0].id, a_slice);
  EXPECT_EQ(h.api.returns[0].used, 1);
}

}  // namespace
}  // namespace kt::gateway
