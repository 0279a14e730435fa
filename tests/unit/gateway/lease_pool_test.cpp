// The in-process half of budget leases: holds never exceed a lease, settles consume what the
// lease covers (the store's rule), expiry margins and period ends stop new holds.
#include <gtest/gtest.h>

#include "gateway/budget/lease_pool.hpp"

namespace kt::gateway {
namespace {

Money usd(const char* text) { return *Money::parse(text); }

LeasePool::Lease lease(const char* id, const char* team, const char* amount, int64_t expires_at,
                       int64_t period_end = 0) {
  LeasePool::Lease l;
  l.id = id;
  l.team = team;
  l.amount = usd(amount);
  l.expires_at = expires_at;
  l.period_end = period_end;
  return l;
}

TEST(LeasePool, HoldsNeverAddUpToMoreThanTheLease) {
  LeasePool pool(2);
  pool.add(lease("L1", "eng", "1", 1000));
  std::vector<LeasePool::Hold> holds;
  while (auto h = pool.try_hold("eng", usd("0.3"), 100)) holds.push_back(*h);
  EXPECT_EQ(holds.size(), 3u);
  EXPECT_EQ(pool.unheld_for("eng", 100), usd("0.1"));
  EXPECT_FALSE(pool.try_hold("marketing", usd("0.01"), 100));  // another team's lease is not ours
  pool.release(holds[0]);
  EXPECT_EQ(pool.unheld_for("eng", 100), usd("0.4"));
  EXPECT_EQ(pool.find("L1")->holds, 2);
}

TEST(LeasePool, SettleConsumesTheActualCostUpToWhatTheLeaseCovers) {
  LeasePool pool(2);
  pool.add(lease("L1", "eng", "1", 1000));
  auto a = pool.try_hold("eng", usd("0.6"), 100);
  auto b = pool.try_hold("eng", usd("0.4"), 100);
  ASSERT_TRUE(a && b);
  pool.settle(*a, usd("0.25"));
  EXPECT_EQ(pool.find("L1")->consumed, usd("0.25"));
  EXPECT_EQ(pool.unheld_for("eng", 100), usd("0.35"));
  pool.settle(*b, usd("0.9"));  // above its estimate: the lease covers only what it has left
  EXPECT_EQ(pool.find("L1")->consumed, usd("1"));
  EXPECT_EQ(pool.find("L1")->holds, 0);
  EXPECT_EQ(pool.unheld_for("eng", 100), Money::zero());
}

TEST(LeasePool, NoNewHoldsNearExpiryOrAfterThePeriodOrOnADeadLease) {
  LeasePool pool(5);
  pool.add(lease("L1", "eng", "1", 1000, 900));
  EXPECT_TRUE(pool.try_hold("eng", usd("0.1"), 894));
  EXPECT_FALSE(pool.try_hold("eng", usd("0.1"), 900));  // its period is over
  pool.add(lease("L2", "ops", "1", 1000));
  EXPECT_TRUE(pool.try_hold("ops", usd("0.1"), 994));
  EXPECT_FALSE(pool.try_hold("ops", usd("0.1"), 995));  // within the margin before expiry
  pool.add(lease("L3", "web", "1", 1000));
  pool.find("L3")->dead = true;
  EXPECT_FALSE(pool.try_hold("web", usd("0.1"), 100));
}

TEST(LeasePool, ADeadLeaseSettlesWithoutConsuming) {
  LeasePool pool(2);
  pool.add(lease("L1", "eng", "1", 1000));
  auto h = pool.try_hold("eng", usd("0.5"), 100);
  ASSERT_TRUE(h);
  pool.find("L1")->dead = true;  // the API expired it: the store charges without taking from it
  pool.settle(*h, usd("0.2"));
  EXPECT_EQ(pool.find("L1")->consumed, Money::zero());
  EXPECT_EQ(pool.find("L1")->held, Money::zero());
}

}  // namespace
}  // namespace kt::gateway
