#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tokenizer/byte_pair_merge.hpp"
#include "tokenizer/utf8.hpp"

namespace kt::tokenizer::test {
namespace {

using Ids = std::vector<uint32_t>;

TEST(TokenizerEncoding, LoadsBothEncodingsAndReportsTime) {
  const std::string dir = data_dir();
  ASSERT_FALSE(dir.empty()) << kMissingData;
  const auto start = std::chrono::steady_clock::now();
  auto o200k = Encoding::load("o200k_base", dir);
  auto cl100k = Encoding::load("cl100k_base", dir);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("[tokenizer] loading o200k_base + cl100k_base took %.1f ms\n", ms);
  EXPECT_EQ(o200k->ranks().size(), 199998u);
  EXPECT_EQ(cl100k->ranks().size(), 100256u);
  EXPECT_EQ(o200k->name(), "o200k_base");
  EXPECT_EQ(cl100k->name(), "cl100k_base");
}

TEST(TokenizerEncoding, UnknownEncodingAndMissingFolderThrow) {
  EXPECT_THROW(Encoding::load("p50k_base", "/nonexistent"), std::invalid_argument);
  EXPECT_THROW(Encoding::load("o200k_base", "/nonexistent-kt-dir"), std::runtime_error);
}

TEST(TokenizerEncoding, HelloWorldKnownIds) {
  KT_REQUIRE_ENCODING(o200k, "o200k_base");
  KT_REQUIRE_ENCODING(cl100k, "cl100k_base");
  EXPECT_EQ(o200k->encode("hello world"), (Ids{24912, 2375}));
  EXPECT_EQ(cl100k->encode("hello world"), (Ids{15339, 1917}));
  EXPECT_EQ(o200k->count("hello world"), 2u);
}

TEST(TokenizerEncoding, EmptyString) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  EXPECT_TRUE(enc->encode("").empty());
  EXPECT_EQ(enc->count(""), 0u);
  EXPECT_EQ(enc->decode({}), "");
}

TEST(TokenizerEncoding, EmojiAndCjkRoundTrip) {
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    KT_REQUIRE_ENCODING(enc, name);
    for (std::string s : {"🌍🚀 👩‍👩‍👧‍👦", "你好，世界！今天天气很好。", "日本語のテキストと한국어 텍스트", "🇫🇷🇯🇵"}) {
      const Ids ids = enc->encode(s);
      EXPECT_FALSE(ids.empty());
      EXPECT_EQ(enc->decode(ids), s) << name;
      EXPECT_EQ(enc->count(s), ids.size());
    }
  }
}

TEST(TokenizerEncoding, SpecialTokensAreOrdinaryTextByDefault) {
  KT_REQUIRE_ENCODING(o200k, "o200k_base");
  KT_REQUIRE_ENCODING(cl100k, "cl100k_base");
  // Reference: tiktoken@1.0.22 encode_ordinary("<|endoftext|>").
  EXPECT_EQ(o200k->encode("<|endoftext|>"), (Ids{27, 91, 419, 1440, 919, 91, 29}));
  EXPECT_EQ(cl100k->encode("<|endoftext|>"), (Ids{27, 91, 8862, 728, 428, 91, 29}));
  EXPECT_EQ(o200k->encode_with_special_tokens("<|endoftext|>"), (Ids{199999}));
  EXPECT_EQ(cl100k->encode_with_special_tokens("hello world<|endoftext|>"), (Ids{15339, 1917, 100257}));
  EXPECT_EQ(cl100k->decode({15339, 100257}), "hello<|endoftext|>");
  EXPECT_THROW(cl100k->decode({100300}), std::out_of_range);
}

TEST(TokenizerEncoding, LongRepeatedText) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "The quick brown fox jumps over the lazy dog. ";
  const auto start = std::chrono::steady_clock::now();
  const Ids ids = enc->encode(text);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("[tokenizer] %zu bytes -> %zu tokens in %.1f ms\n", text.size(), ids.size(), ms);
  // Pieces never cross sentence boundaries here: the first sentence, then " The quick ..." (the
  // space joins "The") 19999 times, then the final lone space.
  Ids expected = enc->encode("The quick brown fox jumps over the lazy dog.");
  const Ids middle = enc->encode(" The quick brown fox jumps over the lazy dog.");
  for (int i = 1; i < 20000; ++i) expected.insert(expected.end(), middle.begin(), middle.end());
  const Ids tail = enc->encode(" ");
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(enc->count(text), expected.size());
  EXPECT_EQ(enc->decode(ids), text);

  // Single pathological pieces: long runs with no split point go through the heap merge.
  for (const std::string& s : {std::string(100000, ' '), std::string(50000, 'a'), std::string(30000, '\n')}) {
    const Ids r = enc->encode(s);
    EXPECT_EQ(enc->decode(r), s);
    EXPECT_LT(r.size(), s.size());
  }
}

TEST(TokenizerEncoding, DecodeOfEncodeIsIdentityForRandomUtf8) {
  KT_REQUIRE_ENCODING(o200k, "o200k_base");
  KT_REQUIRE_ENCODING(cl100k, "cl100k_base");
  const char* alphabet[] = {"a", "Z", "0", " ", "  ", "\n", "\t", "'s", "!", "é", "中", "😀", "\u0301", "\u00a0", "/"};
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 80);
    for (int j = 0; j < len; ++j) s += alphabet[rng() % std::size(alphabet)];
    EXPECT_EQ(o200k->decode(o200k->encode(s)), s);
    EXPECT_EQ(cl100k->decode(cl100k->encode(s)), s);
  }
}

TEST(TokenizerEncoding, QuadraticAndHeapMergeAgree) {
  KT_REQUIRE_ENCODING(enc, "cl100k_base");
  std::mt19937 rng(7);
  const std::string letters = "abcdefghijklmnopqrstuvwxyzABC  .,'";
  for (int i = 0; i < 200; ++i) {
    std::string piece;
    const size_t len = 1 + rng() % 400;
    for (size_t j = 0; j < len; ++j) piece += letters[rng() % letters.size()];
    std::vector<Rank> a, b;
    merge_quadratic(enc->ranks(), piece, a);
    merge_heap(enc->ranks(), piece, b);
    ASSERT_EQ(a, b) << piece;
    EXPECT_EQ(enc->decode(a), piece);
  }
}

TEST(TokenizerEncoding, InvalidUtf8IsReplacedNotFatal) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  const std::string bad = std::string("ok ") + "\xFF\xFE" + " mid \xE2\x82" + " end \xED\xA0\x80" + "\xC0\xAF";
  EXPECT_FALSE(is_valid_utf8(bad));
  const std::string repaired = replace_invalid_utf8(bad);
  EXPECT_TRUE(is_valid_utf8(repaired));
  // Maximal subparts: FF, FE, E2 82 (truncated), ED A0 80 -> ED, A0, 80 (surrogate), C0, AF.
  EXPECT_EQ(repaired, "ok \uFFFD\uFFFD mid \uFFFD end \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(enc->encode(bad), enc->encode(repaired));
  EXPECT_EQ(enc->count(bad), enc->encode(repaired).size());
  EXPECT_EQ(enc->count(std::string("\x80", 1)), enc->count("\uFFFD"));
  EXPECT_TRUE(is_valid_utf8("plain ascii and é 中 😀"));
}

TEST(TokenizerEncoding, ConcurrentEncodingFromManyThreads) {
  KT_REQUIRE_ENCODING(enc, "o200k_base");
  const std::string text = "Concurrency check: the same text encodes identically on every thread. 🌍\n";
  const Ids expected = enc->encode(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if (enc->encode(text) != expected) ++mismatches;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace kt::tokenizer::test
