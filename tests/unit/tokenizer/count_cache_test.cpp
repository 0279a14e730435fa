#include <gtest/gtest.h>

#include "test_support.hpp"
#include "tokenizer/count_cache.hpp"

namespace kt::tokenizer::test {
namespace {

std::string long_text(const std::string& seed) {
  std::string t;
  while (t.size() < 600) t += seed + " reported at 14:02 UTC; the queue drained by 14:22. ";
  return t;
}

TEST(TokenizerCountCache, SameCountsAsTheEncodingAndASecondSightIsAHit) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  CountCache cache;
  const std::string a = long_text("Checkout latency"), b = long_text("Search errors");
  EXPECT_EQ(cache.count(*enc, a), enc->count(a));
  EXPECT_EQ(cache.count(*enc, b), enc->count(b));
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.count(*enc, a), enc->count(a));
  EXPECT_EQ(cache.count(*enc, b), enc->count(b));
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(TokenizerCountCache, AnyChangeToTheTextIsAMiss) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  CountCache cache;
  std::string a = long_text("Checkout latency");
  cache.count(*enc, a);
  std::string edited = a;
  edited[300] = edited[300] == 'x' ? 'y' : 'x';
  EXPECT_EQ(cache.count(*enc, edited), enc->count(edited));
  std::string longer = a + " And one more sentence.";
  EXPECT_EQ(cache.count(*enc, longer), enc->count(longer));
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.misses(), 3u);
}

// Every length around the hash's 16-byte blocks (a zero-padded tail), every position: a text one
// byte away from the cached one is a miss, not the cached count.
TEST(TokenizerCountCache, OneChangedByteAtAnyPositionIsAMiss) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  CountCache cache;
  const std::string base = long_text("Checkout latency");
  for (std::size_t length = CountCache::kMinBytes; length < CountCache::kMinBytes + 33; ++length) {
    const std::string text = base.substr(0, length);
    for (std::size_t pos = 0; pos < length; ++pos) {
      cache.count(*enc, text);
      std::string edited = text;
      edited[pos] = static_cast<char>(edited[pos] ^ 0x01);
      const uint64_t misses = cache.misses();
      EXPECT_EQ(cache.count(*enc, edited), enc->count(edited)) << length << " " << pos;
      ASSERT_EQ(cache.misses(), misses + 1) << "length " << length << ", byte " << pos;
    }
  }
}

TEST(TokenizerCountCache, EncodingsDoNotShareEntries) {
  KT_REQUIRE_ENCODING(o200k, "o200k_base");
  KT_REQUIRE_ENCODING(cl100k, "cl100k_base");
  CountCache cache;
  // Non-English text tokenises differently in the two encodings (o200k has more such tokens).
  std::string code;
  while (code.size() < 400) code += "Привет! Сервис оплаты снова работает; очередь разобрана к 14:22. 東京の在庫は正常です。";
  ASSERT_NE(o200k->count(code), cl100k->count(code));
  EXPECT_EQ(cache.count(*o200k, code), o200k->count(code));
  EXPECT_EQ(cache.count(*cl100k, code), cl100k->count(code));
  EXPECT_EQ(cache.hits(), 0u);
}

TEST(TokenizerCountCache, ShortTextsAreCountedDirectly) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  CountCache cache;
  EXPECT_EQ(cache.count(*enc, "Write a short haiku about cloud computing."), 9u);
  EXPECT_EQ(cache.count(*enc, "Write a short haiku about cloud computing."), 9u);
  EXPECT_EQ(cache.hits() + cache.misses(), 0u);
}

TEST(TokenizerCountCache, ChatPromptCountIsUnchangedByTheCache) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  CountCache cache;
  const std::string system = long_text("You are an operations assistant.");
  const std::string user = long_text("Summarise");  // a view of a temporary would dangle (ASan)
  const std::vector<ChatMessageView> messages = {{"system", system, ""}, {"user", user, "ops"}};
  size_t direct = count_chat_prompt(*enc, messages);
  EXPECT_EQ(count_chat_prompt(*enc, messages, &cache), direct);
  EXPECT_EQ(count_chat_prompt(*enc, messages, &cache), direct);
  EXPECT_EQ(cache.hits(), 2u);
}

}  // namespace
}  // namespace kt::tokenizer::test
