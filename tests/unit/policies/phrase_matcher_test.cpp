#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "policies/phrase_matcher.hpp"

namespace kt::policies {
namespace {

std::vector<std::string> found(const PhraseMatcher& m, const std::vector<std::string>& phrases, std::string_view text) {
  std::vector<PhraseMatcher::Hit> hits;
  m.scan(text, hits);
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(phrases[h.phrase] + "@" + std::string(text.substr(h.begin, h.end - h.begin)));
  return out;
}

TEST(PhraseMatcher, FindsOverlappingAndNestedPhrases) {
  std::vector<std::string> p = {"he", "she", "his", "hers"};
  PhraseMatcher m(p);
  // The classic Aho-Corasick example: all four occur inside "ushers", but none as a whole word.
  EXPECT_EQ(found(m, p, "ushers"), std::vector<std::string>{});
  EXPECT_EQ(found(m, p, "she said his and hers"), (std::vector<std::string>{"she@she", "his@his", "hers@hers"}));
}

TEST(PhraseMatcher, NestedPhrasesAtBoundaries) {
  std::vector<std::string> p = {"kill myself", "myself", "kill"};
  PhraseMatcher m(p);
  EXPECT_EQ(found(m, p, "I will kill myself"),
            (std::vector<std::string>{"kill@kill", "kill myself@kill myself", "myself@myself"}));
}

TEST(PhraseMatcher, WordBoundaries) {
  std::vector<std::string> p = {"kill"};
  PhraseMatcher m(p);
  EXPECT_TRUE(found(m, p, "skill").empty());
  EXPECT_TRUE(found(m, p, "killer").empty());
  EXPECT_TRUE(found(m, p, "overkill_").empty());
  EXPECT_TRUE(found(m, p, "kill2").empty());
  EXPECT_EQ(found(m, p, "kill").size(), 1u);
  EXPECT_EQ(found(m, p, "(kill)").size(), 1u);
  EXPECT_EQ(found(m, p, "kill-switch, kill.").size(), 2u);
  EXPECT_EQ(found(m, p, "kill\xf0\x9f\x98\xad").size(), 1u);  // an emoji right after is a boundary
}

TEST(PhraseMatcher, CaseAndWhitespaceInsensitive) {
  std::vector<std::string> p = {"Kill  Myself"};
  PhraseMatcher m(p);
  std::string text = "i want to KILL \t\n MYSELF now";
  std::vector<PhraseMatcher::Hit> hits;
  m.scan(text, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(text.substr(hits[0].begin, hits[0].end - hits[0].begin), "KILL \t\n MYSELF");
  EXPECT_EQ(PhraseMatcher::normalise("  Kill \t Myself "), "kill myself");
}

TEST(PhraseMatcher, PunctuationEdgedPhrasesNeedNoBoundary) {
  std::vector<std::string> p = {"14/88", "-x-"};
  PhraseMatcher m(p);
  EXPECT_EQ(found(m, p, "a 14/88 b").size(), 1u);
  EXPECT_EQ(found(m, p, "a-x-b").size(), 1u);  // phrase edges are not word chars
  EXPECT_TRUE(found(m, p, "114/88").empty());
}

TEST(PhraseMatcher, EmptyInputsAndPhrases) {
  std::vector<std::string> p = {"", "a b"};
  PhraseMatcher m(p);
  EXPECT_TRUE(found(m, p, "").empty());
  EXPECT_EQ(found(m, p, "a b").size(), 1u);
  PhraseMatcher none({});
  std::vector<PhraseMatcher::Hit> hits;
  none.scan("anything at all", hits);
  EXPECT_TRUE(hits.empty());
}

// Cross-check against a naive search on random text over a tiny alphabet.
TEST(PhraseMatcher, AgreesWithNaiveSearch) {
  std::vector<std::string> p = {"ab", "b a", "aba", "a", "bab b", "ba"};
  PhraseMatcher m(p);
  std::mt19937 rng(42);
  const char alphabet[] = {'a', 'b', ' ', 'A'};
  auto word = [](char c) { return c != ' '; };
  for (int round = 0; round < 300; ++round) {
    std::string text;
    int n = rng() % 40;
    for (int i = 0; i < n; ++i) text += alphabet[rng() % 4];
    // Naive: lower-case, single spaces only (no runs) so byte offsets equal normalised ones.
    std::string t;
    for (char c : text) {
      if (c == ' ' && !t.empty() && t.back() == ' ') continue;
      t += c;
    }
    std::string lower = t;
    for (char& c : lower) c = (c == 'A') ? 'a' : c;
    size_t expected = 0;
    for (const std::string& ph : p)
      for (size_t pos = lower.find(ph); pos != std::string::npos; pos = lower.find(ph, pos + 1)) {
        bool start_ok = pos == 0 || !word(lower[pos - 1]);
        bool end_ok = pos + ph.size() == lower.size() || !word(lower[pos + ph.size()]);
        if (start_ok && end_ok) ++expected;
      }
    std::vector<PhraseMatcher::Hit> hits;
    m.scan(t, hits);
    EXPECT_EQ(hits.size(), expected) << "text '" << t << "'";
  }
}

// A long text is scanned as two interleaved halves: the same hits, in the same order, and the same
// open frontier as one pass, for phrases crossing the split, whitespace runs of any length
// around it, and scans that start past 0 (a stream's later pieces).
TEST(PhraseMatcher, SplitScanAgreesWithOnePass) {
  std::vector<std::string> p = {"ab", "b a", "aba", "a", "bab  b", "ba", "-b", "a.", "abab abab", "b\ta b"};
  PhraseMatcher m(p);
  std::mt19937 rng(7);
  const char alphabet[] = {'a', 'b', ' ', 'A', '\t', '-', '.', 'x', '\n'};
  size_t with_hits = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const size_t n = 1 + rng() % 1500;
    while (text.size() < n) {
      if (rng() % 16 == 0) text.append(1 + rng() % 40, ' ');  // long whitespace runs too
      else text += alphabet[rng() % sizeof alphabet];
    }
    const size_t from = round % 3 == 0 ? rng() % (text.size() + 1) : 0;
    std::vector<PhraseMatcher::Hit> one, two;
    const size_t open_one = m.scan_open(text, from, one, SIZE_MAX);
    const size_t open_two = m.scan_open(text, from, two, 16);
    ASSERT_EQ(open_one, open_two) << "round " << round;
    ASSERT_EQ(one.size(), two.size()) << "round " << round;
    for (size_t k = 0; k < one.size(); ++k) {
      EXPECT_EQ(one[k].phrase, two[k].phrase) << "round " << round << " hit " << k;
      EXPECT_EQ(one[k].begin, two[k].begin) << "round " << round << " hit " << k;
      EXPECT_EQ(one[k].end, two[k].end) << "round " << round << " hit " << k;
    }
    with_hits += one.empty() ? 0 : 1;
  }
  EXPECT_GT(with_hits, 300u);  // the comparison saw hits, not only empty results
}

}  // namespace
}  // namespace kt::policies
