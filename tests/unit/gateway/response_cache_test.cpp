// The response cache's store and key: TTL, max-age, LRU bound, team namespaces, canonical bodies.
#include <gtest/gtest.h>

#include "gateway/cache/response_cache.hpp"

namespace kt::gateway {
namespace {

CachedAnswer answer(std::string body, int64_t at) {
  CachedAnswer a;
  a.content_type = "application/json";
  a.body = std::move(body);
  a.cost = Money::from_nanos(541350);
  a.stored_at = at;
  return a;
}

TEST(ResponseCache, FindsWithinTheTtlAndDropsAfter) {
  ResponseCache c(10, 300);
  c.put("k", answer("a", 1000));
  ASSERT_NE(c.find("k", 1299), nullptr);
  EXPECT_EQ(c.find("k", 1299)->cost, Money::from_nanos(541350));
  EXPECT_EQ(c.find("k", 1300), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

TEST(ResponseCache, MaxAgeRefusesOlderEntriesWithoutDroppingThem) {
  ResponseCache c(10, 300);
  c.put("k", answer("a", 1000));
  EXPECT_EQ(c.find("k", 1010, 5), nullptr);
  EXPECT_NE(c.find("k", 1010, 10), nullptr);
  EXPECT_NE(c.find("k", 1010), nullptr);
}

TEST(ResponseCache, EvictsTheLeastRecentlyUsed) {
  ResponseCache c(2, 300);
  c.put("a", answer("1", 1000));
  c.put("b", answer("2", 1000));
  ASSERT_NE(c.find("a", 1001), nullptr);  // b is now the least recently used
  c.put("c", answer("3", 1001));
  EXPECT_EQ(c.size(), 2u);
  EXPECT_NE(c.find("a", 1002), nullptr);
  EXPECT_EQ(c.find("b", 1002), nullptr);
  EXPECT_NE(c.find("c", 1002), nullptr);
}

TEST(ResponseCacheKey, CanonicalBodyIgnoresKeyOrderSpacingAndUser) {
  auto a = canonical_request(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"user":"alice"})");
  auto b = canonical_request(R"({ "temperature": 0.5, "user": "bob",
    "messages": [ {"content": "hi", "role": "user"} ], "model": "m" })");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, R"({"messages":[{"content":"hi","role":"user"}],"model":"m","temperature":0.5})");
  // A nested "user" is content, not the caller: kept.
  auto nested = canonical_request(R"({"model":"m","metadata":{"user":"x"}})");
  EXPECT_EQ(*nested, R"({"metadata":{"user":"x"},"model":"m"})");
  EXPECT_FALSE(canonical_request("{not json"));
}

TEST(ResponseCacheKey, EveryParameterThatChangesTheAnswerChangesTheKey) {
  auto key = [](std::string_view team, std::string_view body) {
    return response_cache_key(team, "/v1/chat/completions", *canonical_request(body));
  };
  const std::string base = key("team_a", R"({"model":"m","messages":[]})");
  EXPECT_EQ(base, key("team_a", R"({"messages":[],"model":"m","user":"u"})"));
  EXPECT_NE(base, key("team_b", R"({"model":"m","messages":[]})"));  // never shared across teams
  EXPECT_NE(base, key("team_a", R"({"model":"m","messages":[],"temperature":1})"));
  EXPECT_NE(base, key("team_a", R"({"model":"m","messages":[],"stream":true})"));
  EXPECT_NE(base, key("team_a", R"({"model":"m2","messages":[]})"));
  EXPECT_NE(base, response_cache_key("team_a", "/v1/completions", *canonical_request(R"({"model":"m","messages":[]})")));
}

}  // namespace
}  // namespace kt::gateway
