// Scoped API tokens in the store: created, listed, revoked, last use recorded; names unique
// among the tokens not revoked.
#include "ledger_test_support.hpp"

namespace kt::ledger::testing {
namespace {

class TokenStoreTest : public LedgerStoreTest {};
KT_LEDGER_BACKEND_SUITE(TokenStoreTest);
class SharedTokenStoreTest : public LedgerStoreTest {};
KT_LEDGER_SHARED_BACKEND_SUITE(SharedTokenStoreTest);

const int64_t kNow = at("2026-04", 12, 9 * 3600);

ApiToken token(const std::string& id, const std::string& name, const std::string& scope, char hash_digit) {
  ApiToken t;
  t.id = id;
  t.name = name;
  t.scope = scope;
  t.prefix = "kt_tok_" + std::string(8, hash_digit);
  t.hash = std::string(64, hash_digit);
  return t;
}

TEST_P(TokenStoreTest, CreatedTokensAreListedOldestFirstWithTheirFields) {
  ApiToken made = store().create_api_token(token("tok_1", "gw-a", "gateway", 'a'), kNow);
  EXPECT_EQ(made.created_at, kNow);
  EXPECT_FALSE(made.revoked_at);
  store().create_api_token(token("tok_2", "dash", "viewer", 'b'), kNow + 5);

  auto all = store().list_api_tokens();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "tok_1");
  EXPECT_EQ(all[0].name, "gw-a");
  EXPECT_EQ(all[0].scope, "gateway");
  EXPECT_EQ(all[0].prefix, "kt_tok_aaaaaaaa");
  EXPECT_EQ(all[0].hash, std::string(64, 'a'));
  EXPECT_EQ(all[0].created_at, kNow);
  EXPECT_FALSE(all[0].last_used_at);
  EXPECT_FALSE(all[0].revoked_at);
  EXPECT_EQ(all[1].id, "tok_2");
  EXPECT_EQ(all[1].scope, "viewer");
  EXPECT_EQ(all[1].created_at, kNow + 5);
}

TEST_P(TokenStoreTest, AnActiveNameIsRefusedUntilItsTokenIsRevoked) {
  store().create_api_token(token("tok_1", "gw-a", "gateway", 'a'), kNow);
  EXPECT_THROW(store().create_api_token(token("tok_2", "gw-a", "viewer", 'b'), kNow + 1), TokenNameTaken);
  EXPECT_EQ(store().list_api_tokens().size(), 1u) << "a refused create changes nothing";

  auto revoked = store().revoke_api_token("tok_1", kNow + 2);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->revoked_at, kNow + 2);
  ApiToken again = store().create_api_token(token("tok_3", "gw-a", "gateway", 'c'), kNow + 3);
  EXPECT_EQ(again.id, "tok_3");
  EXPECT_EQ(store().list_api_tokens().size(), 2u);
}

TEST_P(TokenStoreTest, RevokingKeepsTheFirstTimeAndAnUnknownIdIsNullopt) {
  store().create_api_token(token("tok_1", "gw-a", "gateway", 'a'), kNow);
  ASSERT_TRUE(store().revoke_api_token("tok_1", kNow + 10));
  auto second = store().revoke_api_token("tok_1", kNow + 20);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->revoked_at, kNow + 10);
  EXPECT_FALSE(store().revoke_api_token("tok_missing", kNow));
  EXPECT_EQ(store().list_api_tokens().at(0).revoked_at, kNow + 10);
}

TEST_P(TokenStoreTest, TheSameHashCannotBeStoredTwice) {
  store().create_api_token(token("tok_1", "gw-a", "gateway", 'a'), kNow);
  EXPECT_THROW(store().create_api_token(token("tok_2", "gw-b", "gateway", 'a'), kNow), StoreError);
  EXPECT_EQ(store().list_api_tokens().size(), 1u);
}

TEST_P(TokenStoreTest, LastUseOnlyMovesForward) {
  store().create_api_token(token("tok_1", "gw-a", "gateway", 'a'), kNow);
  store().create_api_token(token("tok_2", "dash", "viewer", 'b'), kNow);
  store().touch_api_tokens({{"tok_1", kNow + 30}, {"tok_missing", kNow + 30}});
  store().touch_api_tokens({{"tok_1", kNow + 20}});  // another replica's older report
  auto all = store().list_api_tokens();
  EXPECT_EQ(all[0].last_used_at, kNow + 30);
  EXPECT_FALSE(all[1].last_used_at);
}

TEST_P(SharedTokenStoreTest, AnotherConnectionSeesARevocation) {
  store().create_api_token(token("tok_1", "gw-a", "gateway", 'a'), kNow);
  auto replica = db_.open();
  ASSERT_EQ(replica->list_api_tokens().size(), 1u);
  EXPECT_FALSE(replica->list_api_tokens()[0].revoked_at);
  store().revoke_api_token("tok_1", kNow + 1);
  EXPECT_EQ(replica->list_api_tokens().at(0).revoked_at, kNow + 1);
}

}  // namespace
}  // namespace kt::ledger::testing
