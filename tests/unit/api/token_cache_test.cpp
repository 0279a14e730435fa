// Scoped API tokens as the API sees them: minted tokens, the in-process view (found, unknown,
// revoked, too old to trust), last uses written back, scopes per route.
#include <gtest/gtest.h>

#include "api/token_cache.hpp"

namespace kt::api {
namespace {

using Status = TokenCache::Lookup::Status;

std::string hex_sha256(std::string_view s) {
  TokenHash h = sha256(s);
  return to_hex(h.data(), h.size());
}

TEST(TokenSecrets, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(hex_sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenSecrets, AMintedTokenIsLongRandomAndStoredOnlyAsItsHash) {
  MintedToken a = mint_token("gw-a", Scope::gateway), b = mint_token("gw-a", Scope::gateway);
  EXPECT_NE(a.secret, b.secret);
  ASSERT_EQ(a.secret.size(), kTokenPrefix.size() + 64);
  EXPECT_TRUE(a.secret.starts_with("kt_tok_"));
  EXPECT_EQ(a.row.hash, hex_sha256(a.secret));
  EXPECT_EQ(a.row.prefix, a.secret.substr(0, 15));
  EXPECT_EQ(a.row.scope, "gateway");
  EXPECT_EQ(a.row.name, "gw-a");
  EXPECT_TRUE(a.row.id.starts_with("tok_"));
  EXPECT_NE(a.row.id, b.row.id);
  for (const std::string* field : {&a.row.id, &a.row.name, &a.row.prefix, &a.row.hash})
    EXPECT_EQ(field->find(a.secret.substr(15)), std::string::npos) << "the row holds no more of the token than its prefix";
}

TEST(TokenScopes, AdminMayDoEverythingOthersOnlyWhatTheRouteAllows) {
  EXPECT_TRUE(allows(kAdminOnly, Scope::admin));
  EXPECT_FALSE(allows(kAdminOnly, Scope::gateway));
  EXPECT_FALSE(allows(kAdminOnly, Scope::viewer));
  EXPECT_TRUE(allows(kGateway, Scope::gateway));
  EXPECT_FALSE(allows(kGateway, Scope::viewer));
  EXPECT_TRUE(allows(kGateway | kViewer, Scope::viewer));
  EXPECT_EQ(scopes_text(kAdminOnly), "admin");
  EXPECT_EQ(scopes_text(kGateway), "admin or gateway");
  EXPECT_EQ(scopes_text(kGateway | kViewer), "admin, gateway or viewer");
  EXPECT_EQ(scope_named("viewer"), Scope::viewer);
  EXPECT_FALSE(scope_named("Admin"));
  EXPECT_FALSE(scope_named(""));
}

class TokenCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<ledger::Store> store = ledger::open_store("sqlite::memory:");
  TokenCache cache;

  MintedToken create(const std::string& name, Scope scope) {
    MintedToken t = mint_token(name, scope);
    store->create_api_token(t.row, 1'700'000'000);
    return t;
  }
};

TEST_F(TokenCacheTest, NothingIsTrustedBeforeTheFirstLoad) {
  MintedToken t = create("gw-a", Scope::gateway);
  EXPECT_EQ(cache.find(t.secret).status, Status::stale);
  EXPECT_EQ(cache.find("not-a-kt-token").status, Status::unknown) << "only kt_tok_ tokens depend on the view";
}

TEST_F(TokenCacheTest, ALoadedTokenIsFoundWithItsScopeAndAnyOtherIsUnknown) {
  MintedToken gw = create("gw-a", Scope::gateway), viewer = create("dash", Scope::viewer);
  cache.refresh(*store);
  auto found = cache.find(gw.secret);
  EXPECT_EQ(found.status, Status::found);
  EXPECT_EQ(found.scope, Scope::gateway);
  EXPECT_EQ(cache.find(viewer.secret).scope, Scope::viewer);
  std::string altered = gw.secret;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_EQ(cache.find(altered).status, Status::unknown);
  EXPECT_EQ(cache.find(gw.secret.substr(0, 40)).status, Status::unknown);
  EXPECT_EQ(cache.find(gw.row.hash).status, Status::unknown) << "the stored hash is not a token";
}

TEST_F(TokenCacheTest, ARevokedTokenIsUnknownAfterTheNextLoad) {
  MintedToken gw = create("gw-a", Scope::gateway);
  cache.refresh(*store);
  ASSERT_EQ(cache.find(gw.secret).status, Status::found);
  store->revoke_api_token(gw.row.id, 1'700'000'100);
  cache.refresh(*store);
  EXPECT_EQ(cache.find(gw.secret).status, Status::unknown);
}

TEST_F(TokenCacheTest, AViewOlderThanTheAgeLimitIsNotTrusted) {
  MintedToken gw = create("gw-a", Scope::gateway);
  cache.refresh(*store);
  auto now = TokenCache::Clock::now();
  EXPECT_EQ(cache.find(gw.secret, now + TokenCache::kMaxAge - std::chrono::milliseconds(100)).status, Status::found);
  EXPECT_EQ(cache.find(gw.secret, now + TokenCache::kMaxAge + std::chrono::milliseconds(100)).status, Status::stale);
  static_assert(TokenCache::kRefreshEvery < TokenCache::kMaxAge, "a healthy view never ages out");
}

TEST_F(TokenCacheTest, LastUseIsWrittenAtTheNextLoadAndKeptAcrossLoads) {
  MintedToken gw = create("gw-a", Scope::gateway), unused = create("dash", Scope::viewer);
  cache.refresh(*store);
  ASSERT_EQ(cache.find(gw.secret).status, Status::found);
  cache.refresh(*store);
  auto rows = store->list_api_tokens();
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].last_used_at);
  EXPECT_GT(*rows[0].last_used_at, 1'700'000'000);
  EXPECT_FALSE(rows[1].last_used_at);
  cache.refresh(*store);  // nothing new: no write, the token still found
  EXPECT_EQ(cache.find(gw.secret).status, Status::found);
}

}  // namespace
}  // namespace kt::api
