// Consumer keys made through the API, in the store: created, listed, revoked, rotated (the old key
// ends at the overlap, the successor takes its group), last uses recorded and never moved back.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class ConsumerKeyStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(ConsumerKeyStoreTest);

const int64_t kNow = at("2026-04", 12, 9 * 3600);

ConsumerKeyRow key(const std::string& id, const std::string& group, char hash_digit) {
  return ConsumerKeyRow{id, group, "kt_ck_" + std::string(8, hash_digit), std::string(64, hash_digit), 0, {}, {}, {}, {}, {}, std::nullopt, {}, {}, {}};
}

TEST_P(ConsumerKeyStoreTest, CreatedKeysAreListedOldestFirstWithTheirFields) {
  auto expiring = key("ck_2", "marketing", 'b');
  expiring.expires_at = kNow + 3600;
  ConsumerKeyRow made = store().create_consumer_key(key("ck_1", "engineering", 'a'), kNow);
  EXPECT_EQ(made.created_at, kNow);
  store().create_consumer_key(expiring, kNow + 5);
  auto all = store().list_consumer_keys();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "ck_1");
  EXPECT_EQ(all[0].group, "engineering");
  EXPECT_EQ(all[0].prefix, "kt_ck_aaaaaaaa");
  EXPECT_EQ(all[0].hash, std::string(64, 'a'));
  EXPECT_FALSE(all[0].expires_at);
  EXPECT_FALSE(all[0].last_used_at);
  EXPECT_FALSE(all[0].revoked_at);
  EXPECT_TRUE(all[0].replaced_by.empty());
  EXPECT_EQ(all[1].expires_at, kNow + 3600);
  EXPECT_EQ(all[1].created_at, kNow + 5);
}

TEST_P(ConsumerKeyStoreTest, RevokeKeepsTheFirstTimeAndAnUnknownIdIsNothing) {
  store().create_consumer_key(key("ck_1", "engineering", 'a'), kNow);
  EXPECT_EQ(store().revoke_consumer_key("ck_1", kNow + 10)->revoked_at, kNow + 10);
  EXPECT_EQ(store().revoke_consumer_key("ck_1", kNow + 20)->revoked_at, kNow + 10);
  EXPECT_FALSE(store().revoke_consumer_key("ck_nosuch", kNow + 20));
  EXPECT_EQ(store().list_consumer_keys().size(), 1u);
}

TEST_P(ConsumerKeyStoreTest, RotationEndsTheOldKeyAtTheOverlapAndTheSuccessorTakesItsGroup) {
  store().create_consumer_key(key("ck_1", "engineering", 'a'), kNow);
  auto fresh = key("ck_2", "ignored", 'b');
  auto pair = store().rotate_consumer_key("ck_1", fresh, kNow + 3600, kNow + 60);
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->first.expires_at, kNow + 3600);
  EXPECT_EQ(pair->first.replaced_by, "ck_2");
  EXPECT_EQ(pair->second.group, "engineering");
  EXPECT_EQ(pair->second.created_at, kNow + 60);
  // A second rotation within the overlap never lengthens the old key's life.
  auto again = store().rotate_consumer_key("ck_1", key("ck_3", "x", 'c'), kNow + 7200, kNow + 120);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->first.expires_at, kNow + 3600);
  // Expired or revoked keys are not rotated, and nothing changes.
  EXPECT_FALSE(store().rotate_consumer_key("ck_1", key("ck_4", "x", 'd'), kNow + 9000, kNow + 3600));
  store().revoke_consumer_key("ck_2", kNow + 200);
  EXPECT_FALSE(store().rotate_consumer_key("ck_2", key("ck_5", "x", 'e'), kNow + 9000, kNow + 300));
  EXPECT_FALSE(store().rotate_consumer_key("ck_nosuch", key("ck_6", "x", 'f'), kNow + 9000, kNow + 300));
  EXPECT_EQ(store().list_consumer_keys().size(), 3u);
}

TEST_P(ConsumerKeyStoreTest, LastUsesOnlyMoveForward) {
  store().create_consumer_key(key("ck_1", "engineering", 'a'), kNow);
  store().touch_consumer_keys({{"ck_1", kNow + 50}});
  store().touch_consumer_keys({{"ck_1", kNow + 20}, {"ck_nosuch", kNow}});
  EXPECT_EQ(store().list_consumer_keys()[0].last_used_at, kNow + 50);
}

}  // namespace
}  // namespace kt::ledger::testing
