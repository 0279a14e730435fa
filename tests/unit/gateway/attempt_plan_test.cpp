// The plan of attempts after the first (attempt_plan.hpp): the primary's retries, then each
// fallback with its own retries, never a fallback's fallbacks; and how long each step waits.
#include <gtest/gtest.h>

#include <tuple>

#include "gateway/pipeline/attempt_plan.hpp"

namespace kt::gateway {
namespace {

config::Target target(std::string id, int retries, std::vector<config::Target::Fallback> fallbacks = {},
                      std::optional<std::string> model = std::nullopt) {
  config::Target t;
  t.id = std::move(id);
  t.provider = "openai";
  t.retries.max = retries;
  t.retries.backoff_ms = 100;
  t.fallbacks = std::move(fallbacks);
  t.model = std::move(model);
  return t;
}

GatewayShared shared_with(std::vector<config::Target> targets) {
  GatewayShared s;
  for (auto& t : targets) s.targets.push_back(providers::ResolvedTarget{std::move(t), {}, {}});
  return s;
}

TEST(AttemptPlan, RetriesThenFallbacksWithTheirOwnRetriesButNotTheirFallbacks) {
  GatewayShared s = shared_with({
      target("primary", 2, {{"azure", std::nullopt}, {"claude", std::string("claude-3-5-haiku")}}),
      target("azure", 1, {{"primary", std::nullopt}}, std::string("gpt-4o-azure")),
      target("claude", 0),
  });
  AttemptPlan plan(s, "gpt-4o");
  EXPECT_TRUE(plan.may_retry());
  EXPECT_TRUE(plan.more_may_follow());  // not planned yet: the first attempt may be followed
  std::vector<std::tuple<std::string, std::string, int>> seen;
  while (auto step = plan.next(&s.targets[0])) seen.emplace_back(s.targets[step->target].config.id, step->model, step->retry);
  const std::vector<std::tuple<std::string, std::string, int>> expected{
      {"primary", "gpt-4o", 1}, {"primary", "gpt-4o", 2},                    // the primary's retries
      {"azure", "gpt-4o-azure", 0}, {"azure", "gpt-4o-azure", 1},            // the target's own model
      {"claude", "claude-3-5-haiku", 0}};                                   // the fallback's model
  EXPECT_EQ(seen, expected);
  EXPECT_FALSE(plan.more_may_follow());
  EXPECT_FALSE(plan.next(&s.targets[0]));
}

TEST(AttemptPlan, AnUnknownFallbackIsSkippedAndAnAttemptThatReachedNoTargetHasNoFollowers) {
  GatewayShared s = shared_with({target("primary", 0, {{"gone", std::nullopt}, {"spare", std::nullopt}}), target("spare", 0)});
  AttemptPlan plan(s, "gpt-4o-mini");
  auto step = plan.next(&s.targets[0]);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->target, 1u);
  EXPECT_EQ(step->model, "gpt-4o-mini");
  EXPECT_FALSE(plan.next(&s.targets[0]));

  AttemptPlan unrouted(s, "gpt-4o-mini");
  EXPECT_FALSE(unrouted.next(nullptr));
  EXPECT_FALSE(unrouted.more_may_follow());
}

TEST(AttemptPlan, NoRetryConfiguredHoldsNothingBack) {
  GatewayShared s = shared_with({target("only", 0)});
  AttemptPlan plan(s, "gpt-4o");
  EXPECT_FALSE(plan.may_retry());
  EXPECT_FALSE(plan.more_may_follow());
  EXPECT_FALSE(plan.next(&s.targets[0]));
}

TEST(AttemptPlan, RetriesBackOffDoublingUpToAMinuteAndFallbacksDoNotWait) {
  using std::chrono::milliseconds;
  EXPECT_EQ(backoff_of({0, "m", 0, 200}), milliseconds(0));  // a fallback's first try
  EXPECT_EQ(backoff_of({0, "m", 1, 200}), milliseconds(200));
  EXPECT_EQ(backoff_of({0, "m", 2, 200}), milliseconds(400));
  EXPECT_EQ(backoff_of({0, "m", 4, 200}), milliseconds(1600));
  EXPECT_EQ(backoff_of({0, "m", 30, 200}), milliseconds(60'000));
  EXPECT_EQ(backoff_of({0, "m", 1, 90'000}), milliseconds(60'000));
}

}  // namespace
}  // namespace kt::gateway
