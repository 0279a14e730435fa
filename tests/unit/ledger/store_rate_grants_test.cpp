// Rate-limit allowance grants in the store: a sliding window per scope that never grants more
// than the limit within one window, takes unused allowance back (idempotently), and says when a
// refused ask would fit again.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class RateGrantStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(RateGrantStoreTest);

RateGrantAsk ask(int64_t want, int64_t need, int64_t limit = 100, int64_t window_ms = 60'000) {
  return RateGrantAsk{"research/requests_per_minute", "gw-w0", limit, window_ms, want, need};
}

TEST_P(RateGrantStoreTest, GrantsNeverAddUpToMoreThanTheLimitWithinTheWindow) {
  const int64_t t0 = 1'000'000;
  auto a = store().grant_rate({ask(60, 1)}, t0);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].granted, 60);
  EXPECT_EQ(a[0].remaining, 40);
  EXPECT_GT(a[0].id, 0);
  auto b = store().grant_rate({ask(60, 1)}, t0 + 10'000);
  EXPECT_EQ(b[0].granted, 40);  // what is left, no more
  auto c = store().grant_rate({ask(5, 1)}, t0 + 20'000);
  EXPECT_EQ(c[0].granted, 0);
  EXPECT_EQ(c[0].id, 0);
  EXPECT_EQ(c[0].retry_after_ms, 40'000);  // the first grant leaves the window at t0 + 60 s
  // Another scope has its own window.
  auto other = store().grant_rate({RateGrantAsk{"other/requests_per_minute", "gw-w0", 100, 60'000, 10, 1}}, t0 + 20'000);
  EXPECT_EQ(other[0].granted, 10);
  // Once the first grant has left the window, its room is there again.
  auto d = store().grant_rate({ask(100, 1)}, t0 + 60'000);
  EXPECT_EQ(d[0].granted, 60);
}

TEST_P(RateGrantStoreTest, ReturnsLowerAGrantToWhatWasUsedOnce) {
  const int64_t t0 = 5'000'000;
  auto a = store().grant_rate({ask(100, 1)}, t0);
  ASSERT_EQ(a[0].granted, 100);
  store().return_rate({{a[0].id, 30}});
  store().return_rate({{a[0].id, 30}});  // re-sent after a lost answer: changes nothing
  auto b = store().grant_rate({ask(100, 1)}, t0 + 1);
  EXPECT_EQ(b[0].granted, 70);
  store().return_rate({{a[0].id, 90}});  // never raises a grant
  EXPECT_EQ(store().grant_rate({ask(10, 1)}, t0 + 2)[0].granted, 0);
}

TEST_P(RateGrantStoreTest, ANeedLargerThanWhatIsLeftGetsNothing) {
  const int64_t t0 = 9'000'000;
  EXPECT_EQ(store().grant_rate({ask(80, 80)}, t0)[0].granted, 80);
  auto r = store().grant_rate({ask(30, 30)}, t0 + 1);
  EXPECT_EQ(r[0].granted, 0);
  EXPECT_EQ(r[0].remaining, 20);
  EXPECT_EQ(r[0].retry_after_ms, 60'000 - 1);
  EXPECT_EQ(store().grant_rate({ask(30, 20)}, t0 + 2)[0].granted, 20);  // it fits what is left
}

}  // namespace
}  // namespace kt::ledger::testing
