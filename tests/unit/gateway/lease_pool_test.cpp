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

// A lease runs dry mid-way (the request that does not fit is refused, those held stay held);
// a fresh lease for the team (the refill) takes the next hold, and the room adds up exactly.
TEST(LeasePool, ALeaseExhaustedMidwayTakesNoMoreHoldsUntilARefill) {
  LeasePool pool(2);
  pool.add(lease("L1", "eng", "0.000001000", 1000));  // 1000 nano-dollars
  auto a = pool.try_hold("eng", usd("0.000000400"), 100);
  auto b = pool.try_hold("eng", usd("0.000000400"), 100);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(pool.try_hold("eng", usd("0.000000201"), 100));  // 200 left
  pool.settle(*a, usd("0.000000333"));
  EXPECT_EQ(pool.unheld_for("eng", 100).nanos(), 267);  // 1000 - 333 consumed - 400 held
  EXPECT_FALSE(pool.try_hold("eng", usd("0.000000400"), 100));
  pool.add(lease("L2", "eng", "0.000000500", 1000));
  auto c = pool.try_hold("eng", usd("0.000000400"), 100);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->lease_id, "L2");
  EXPECT_EQ(pool.unheld_for("eng", 100).nanos(), 367);  // 267 on L1 + 100 on L2
  EXPECT_EQ(pool.find("L1")->consumed.nanos(), 333);
  EXPECT_EQ(pool.find("L2")->held.nanos(), 400);
}

// A hold handed back (no answer) returns exactly its room: nothing consumed, nothing lost.
TEST(LeasePool, AHoldHandedBackReturnsExactlyItsRoom) {
  LeasePool pool(2);
  pool.add(lease("L1", "eng", "0.5", 1000));
  auto a = pool.try_hold("eng", usd("0.123456789"), 100);
  auto b = pool.try_hold("eng", usd("0.000000001"), 100);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(pool.unheld_for("eng", 100).nanos(), 376'543'210);
  pool.release(*a);
  EXPECT_EQ(pool.unheld_for("eng", 100).nanos(), 499'999'999);
  pool.release(*b);
  const auto* l = pool.find("L1");
  EXPECT_EQ(l->held, Money::zero());
  EXPECT_EQ(l->consumed, Money::zero());
  EXPECT_EQ(l->holds, 0);
  EXPECT_EQ(l->unheld().nanos(), 500'000'000);
}

// Two workers, each with its own pool and its own lease of the same wallet (the API split
// $0.000001 into 600 and 400 nano-dollars): their holds, interleaved, never pass either lease,
// so together never more than the wallet gave out.
TEST(LeasePool, TwoWorkersHoldsNeverPassTheirLeases) {
  LeasePool w0(2), w1(2);
  w0.add(lease("L0", "eng", "0.000000600", 1000));
  w1.add(lease("L1", "eng", "0.000000400", 1000));
  int64_t held0 = 0, held1 = 0;
  for (int i = 0; i < 20; ++i) {
    if (w0.try_hold("eng", usd("0.000000070"), 100)) held0 += 70;
    if (w1.try_hold("eng", usd("0.000000070"), 100)) held1 += 70;
  }
  EXPECT_EQ(held0, 560);  // 8 holds; a 9th would be 630
  EXPECT_EQ(held1, 350);  // 5 holds
  EXPECT_EQ(w0.find("L0")->held.nanos(), 560);
  EXPECT_EQ(w1.find("L1")->held.nanos(), 350);
  EXPECT_EQ(w0.unheld_for("eng", 100).nanos() + w1.unheld_for("eng", 100).nanos(), 90);
  EXPECT_FALSE(w0.try_hold("eng", usd("0.000000041"), 100));
  EXPECT_TRUE(w0.try_hold("eng", usd("0.000000040"), 100));
  EXPECT_EQ(w0.unheld_for("eng", 100), Money::zero());
}

// The lease expired (dead at the API, or past its time) while a request held on it: the
// release still drops the hold and consumes nothing; after the lease is forgotten, a late
// release changes nothing.
TEST(LeasePool, AReleaseAfterTheLeaseExpiredDropsTheHoldAndConsumesNothing) {
  LeasePool pool(2);
  pool.add(lease("L1", "eng", "1", 1000));
  auto a = pool.try_hold("eng", usd("0.25"), 100);
  auto b = pool.try_hold("eng", usd("0.125"), 100);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(pool.try_hold("eng", usd("0.01"), 1000));  // past its expiry
  EXPECT_EQ(pool.unheld_for("eng", 1000), Money::zero());
  pool.release(*a);
  EXPECT_EQ(pool.find("L1")->held, usd("0.125"));
  EXPECT_EQ(pool.find("L1")->holds, 1);
  pool.find("L1")->dead = true;
  pool.release(*b);
  EXPECT_EQ(pool.find("L1")->held, Money::zero());
  EXPECT_EQ(pool.find("L1")->consumed, Money::zero());
  EXPECT_EQ(pool.find("L1")->holds, 0);
  pool.erase("L1");
  pool.release(*b);  // forgotten: nothing to give back to
  EXPECT_EQ(pool.size(), 0u);
}

}  // namespace
}  // namespace kt::gateway
