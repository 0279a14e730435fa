// Idempotency-Key cache: claim, conflict, replay, mismatch, expiry and bounded size.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "gateway/pipeline/idempotency_cache.hpp"

namespace kt::gateway {
namespace {

using O = IdempotencyCache::Outcome;

RecordedResponse answer(std::string body) { return {200, "application/json", std::move(body), "req_1"}; }

TEST(IdempotencyCache, FirstClaimsRepeatWhileRunningConflictsThenReplays) {
  IdempotencyCache c;
  std::string key = idempotency_cache_key("engineering", "abc");
  EXPECT_EQ(c.begin(key, 7, 1000).outcome, O::started);
  EXPECT_EQ(c.begin(key, 7, 1001).outcome, O::in_flight);
  c.complete(key, answer("{\"x\":1}"), 1002);
  auto r = c.begin(key, 7, 1003);
  ASSERT_EQ(r.outcome, O::replay);
  EXPECT_EQ(r.response->body, "{\"x\":1}");
  EXPECT_EQ(r.response->content_type, "application/json");
  EXPECT_EQ(c.begin(key, 8, 1004).outcome, O::mismatch);
}

TEST(IdempotencyCache, KeysAreScopedByConsumerGroup) {
  IdempotencyCache c;
  EXPECT_EQ(c.begin(idempotency_cache_key("a", "k"), 1, 0).outcome, O::started);
  EXPECT_EQ(c.begin(idempotency_cache_key("b", "k"), 1, 0).outcome, O::started);
  EXPECT_NE(idempotency_cache_key("a", "bk"), idempotency_cache_key("ab", "k"));
}

TEST(IdempotencyCache, AbandonedKeyRunsAgain) {
  IdempotencyCache c;
  EXPECT_EQ(c.begin("k", 1, 0).outcome, O::started);
  c.abandon("k");
  EXPECT_EQ(c.begin("k", 1, 0).outcome, O::started);
}

TEST(IdempotencyCache, AnswersExpireAfterTheWindow) {
  IdempotencyCache c(IdempotencyCache::Limits{100, 1 << 20, std::chrono::seconds(86400)});
  c.begin("k", 1, 0);
  c.complete("k", answer("a"), 10);
  EXPECT_EQ(c.begin("k", 1, 10 + 86399).outcome, O::replay);
  EXPECT_EQ(c.begin("k", 1, 10 + 86400).outcome, O::started);
}

TEST(IdempotencyCache, EvictsLeastRecentlyUsedAnswersNeverRunningOnes) {
  // 16 shards: a limit of 16 entries is one per shard, so every extra completed key evicts.
  IdempotencyCache c(IdempotencyCache::Limits{16, 1 << 20, std::chrono::seconds(86400)});
  for (int i = 0; i < 200; ++i) {
    std::string k = "k" + std::to_string(i);
    ASSERT_EQ(c.begin(k, 1, 0).outcome, O::started);
    c.complete(k, answer("x"), 0);
  }
  EXPECT_LE(c.size(), 16u);
  EXPECT_EQ(c.begin("k199", 1, 0).outcome, O::replay);  // the newest survives
  // Running keys are not evicted even over the limit.
  for (int i = 0; i < 50; ++i) ASSERT_EQ(c.begin("run" + std::to_string(i), 1, 0).outcome, O::started);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(c.begin("run" + std::to_string(i), 1, 0).outcome, O::in_flight);
}

TEST(IdempotencyCache, AnswerLargerThanAShardIsNotKept) {
  IdempotencyCache c(IdempotencyCache::Limits{100, 16 * 1024, std::chrono::seconds(86400)});
  c.begin("big", 1, 0);
  c.complete("big", answer(std::string(2048, 'x')), 0);
  EXPECT_EQ(c.begin("big", 1, 0).outcome, O::started);
}

TEST(IdempotencyCache, OneWinnerAcrossThreads) {
  IdempotencyCache c;
  std::atomic<int> started{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if (c.begin("key" + std::to_string(i), 1, 0).outcome == O::started) ++started;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(started.load(), 500);
}

TEST(BodyFingerprint, DiffersForDifferentBodies) {
  EXPECT_EQ(body_fingerprint("{\"a\":1}"), body_fingerprint("{\"a\":1}"));
  EXPECT_NE(body_fingerprint("{\"a\":1}"), body_fingerprint("{\"a\":2}"));
}

}  // namespace
}  // namespace kt::gateway
