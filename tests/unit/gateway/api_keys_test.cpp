// The gateway's view of the consumer keys made through the API: a live key maps to its config
// group, a key of a group the config lacks is named as such, an expired key is refused, and a key
// that left the view never comes back in this process. Last uses are kept for the next sync.
#include <gtest/gtest.h>

#include "core/period.hpp"
#include "gateway/api_keys.hpp"
#include "wire/key_wire.hpp"

namespace kt::gateway {
namespace {

ledger::ConsumerKeyRow live(const std::string& id, const std::string& group, const std::string& secret,
                            std::optional<int64_t> expires_at = std::nullopt) {
  ledger::ConsumerKeyRow k;
  k.id = id;
  k.group = group;
  k.hash = hex_of(sha256(secret));
  k.expires_at = expires_at;
  return k;
}

std::vector<config::ConsumerGroup> groups() {
  return {{"engineering", "kt_cg_engineering_abc123", "team_engineering"}, {"default", "", "team_default"}};
}

TEST(ApiKeyTable, ALiveKeyFindsItsConfigGroup) {
  auto g = groups();
  ApiKeyTable table(g);
  EXPECT_FALSE(table.find("kt_ck_one").group) << "nothing is known before the first sync";
  EXPECT_EQ(table.install({live("ck_1", "engineering", "kt_ck_one")}), 1u);
  auto found = table.find("kt_ck_one");
  ASSERT_TRUE(found.group);
  EXPECT_EQ(found.group->wallet_team_id, "team_engineering");
  EXPECT_FALSE(table.find("kt_ck_two").group);
  EXPECT_FALSE(table.find("kt_ck_onf").group);
}

TEST(ApiKeyTable, AKeyOfAGroupTheConfigLacksIsNamedNotServed) {
  auto g = groups();
  ApiKeyTable table(g);
  table.install({live("ck_1", "research", "kt_ck_r"), live("ck_2", "default", "kt_ck_d")});
  auto found = table.find("kt_ck_r");
  EXPECT_FALSE(found.group);
  EXPECT_EQ(found.unconfigured_group, "research");
  EXPECT_FALSE(table.find("kt_ck_d").group) << "the default group takes no keys";
}

TEST(ApiKeyTable, AnExpiredKeyIsRefused) {
  auto g = groups();
  ApiKeyTable table(g);
  const int64_t now = now_unix_seconds();
  table.install({live("ck_1", "engineering", "kt_ck_old", now - 1), live("ck_2", "engineering", "kt_ck_new", now + 3600)});
  EXPECT_FALSE(table.find("kt_ck_old").group);
  EXPECT_TRUE(table.find("kt_ck_new").group);
}

TEST(ApiKeyTable, AKeyThatLeftTheViewNeverComesBack) {
  auto g = groups();
  ApiKeyTable table(g);
  auto k = live("ck_1", "engineering", "kt_ck_one");
  table.install({k});
  table.install({});  // revoked at the API
  EXPECT_FALSE(table.find("kt_ck_one").group);
  EXPECT_EQ(table.install({k}), 0u) << "a lagging answer listing it again";
  EXPECT_FALSE(table.find("kt_ck_one").group);
}

TEST(ApiKeyTable, UsesAreReportedOnceAndSurviveASwap) {
  auto g = groups();
  ApiKeyTable table(g);
  table.install({live("ck_1", "engineering", "kt_ck_one"), live("ck_2", "engineering", "kt_ck_two")});
  EXPECT_TRUE(table.unreported_uses().empty());
  table.find("kt_ck_one");
  table.install({live("ck_1", "engineering", "kt_ck_one"), live("ck_2", "engineering", "kt_ck_two")});
  auto uses = table.unreported_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].id, "ck_1");
  EXPECT_GT(uses[0].last_used_at, 0);
  table.mark_reported(uses);
  EXPECT_TRUE(table.unreported_uses().empty());
}

}  // namespace
}  // namespace kt::gateway

namespace kt::gateway {
namespace {

// A key's id, its own rate limits and whether it has a budget of its own reach every request it
// makes, through the sync's wire format; a key without them has none.
TEST(ApiKeyTable, AKeyCarriesItsIdItsOwnLimitsAndItsBudgetThroughTheWire) {
  auto g = groups();
  g[0].rate_limits.response_headers = true;
  ApiKeyTable table(g);
  auto limited = live("ck_1", "engineering", "kt_ck_one");
  limited.rate_limits.requests_per_minute = 8;
  limited.rate_limits.tokens_per_day = 1000;
  limited.budget = Money::from_nanos(5);
  auto plain = live("ck_2", "engineering", "kt_ck_two");
  auto rows = wire::decode_live_keys(wire::encode_live_keys({limited, plain}));
  ASSERT_TRUE(rows);
  table.install(*rows);
  auto one = table.find("kt_ck_one");
  ASSERT_TRUE(one.key);
  EXPECT_EQ(one.key->id, "ck_1");
  EXPECT_EQ(one.key->scope, "key:ck_1");
  EXPECT_EQ(one.key->rate_limits.requests_per_minute, 8);
  EXPECT_FALSE(one.key->rate_limits.tokens_per_minute);
  EXPECT_EQ(one.key->rate_limits.tokens_per_day, 1000);
  EXPECT_EQ(one.key->rate_limits.response_headers, true) << "the group's choice of headers";
  EXPECT_TRUE(one.key->has_budget);
  auto two = table.find("kt_ck_two");
  ASSERT_TRUE(two.key);
  EXPECT_FALSE(two.key->rate_limits.any_limit());
  EXPECT_FALSE(two.key->has_budget);
}

}  // namespace
}  // namespace kt::gateway
