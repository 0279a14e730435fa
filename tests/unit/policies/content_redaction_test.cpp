// content_filter's custom patterns, weights, and the property the streamed redaction promises:
// the pieces joined equal redacting the whole text at once, however the text is cut.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "config/gateway_config.hpp"
#include "policies/content_filter/content_filter.hpp"
#include "policies/content_filter/stream_redactor.hpp"

namespace kt::policies {
namespace {

ContentFilter::Options options(std::vector<std::string> categories, std::vector<config::ContentPattern> patterns,
                               std::string action = "redact", std::string threshold = "medium") {
  return ContentFilter::Options{"cf", std::move(action), std::move(categories), std::move(threshold), std::move(patterns)};
}

const std::vector<config::ContentPattern> kPatterns = {
    {"ssn", R"(\b\d{3}-\d{2}-\d{4}\b)"},
    {"card", R"(\b(?:\d{4}[ -]?){3}\d{4}\b)"},
    {"secret", R"((?i)api[_-]?key\s*[:=]\s*\w+)"},   // \w+: open-ended, held until a non-word byte
    {"after_ssn_word", R"((?<=ssn )\w{2,6}\b)"},      // a lookbehind into the previous piece
};

std::string whole(const ContentFilter& f, std::string_view text) { return f.redact(text).value_or(std::string(text)); }

std::string streamed(const ContentFilter& f, std::string_view text, const std::vector<std::size_t>& cuts,
                     std::size_t* max_held = nullptr) {
  ContentStreamRedactor r(f);
  std::string out;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    out += r.feed(text.substr(at, cut - at));
    if (max_held) *max_held = std::max(*max_held, r.held());
    at = cut;
  }
  out += r.feed(text.substr(at));
  out += r.finish();
  return out;
}

TEST(ContentPatterns, MatchAndAreNamedNeverQuoted) {
  ContentFilter f(options({}, kPatterns, "block"));
  PolicyVerdict v = f.evaluate(PolicyInput{{"my ssn: 123-45-6789, ok"}});
  EXPECT_TRUE(v.triggered);
  EXPECT_EQ(v.patterns, std::vector<std::string>{"ssn"});
  EXPECT_TRUE(v.categories.empty());
  EXPECT_TRUE(v.matches.empty());  // pattern matches are never listed as text
  EXPECT_FALSE(f.evaluate(PolicyInput{{"call 555-1234 tomorrow"}}).triggered);
  EXPECT_EQ(*f.redact("ssn 123-45-6789 and API_KEY = abc123."),
            "ssn [REDACTED:ssn] and [REDACTED:secret].");
}

TEST(ContentPatterns, BadPatternThrowsNamingIt) {
  try {
    ContentFilter f(options({}, {{"broken", "(unclosed"}}));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'broken'"), std::string::npos) << e.what();
  }
  EXPECT_THROW({ ContentFilter none(options({}, {})); }, std::invalid_argument);
}

TEST(ContentWeights, ThresholdsSumWeights) {
  auto with = [](std::string threshold) { return ContentFilter(options({"sexual"}, kPatterns, "flag", threshold)); };
  ContentFilter low = with("low"), medium = with("medium"), high = with("high");
  EXPECT_TRUE(low.evaluate(PolicyInput{{"nsfw"}}).triggered);        // mild: 1
  EXPECT_FALSE(medium.evaluate(PolicyInput{{"nsfw"}}).triggered);
  EXPECT_TRUE(medium.evaluate(PolicyInput{{"nsfw", "horny"}}).triggered);  // 1 + 1
  EXPECT_TRUE(medium.evaluate(PolicyInput{{"123-45-6789"}}).triggered);    // a pattern: 2
  EXPECT_FALSE(high.evaluate(PolicyInput{{"123-45-6789"}}).triggered);
  EXPECT_TRUE(high.evaluate(PolicyInput{{"123-45-6789 porn"}}).triggered);  // 2 + 2
}

TEST(ContentWeights, LabelsFollowConfiguredOrder) {
  ContentFilter f(options({"violence", "self_harm"}, kPatterns));
  // Overlapping matches merge; the label is the first configured category among them.
  EXPECT_EQ(*f.redact("I will kill you, then kill myself."), "[REDACTED:violence], then [REDACTED:self_harm].");
}

// The text for the property: clean prose, lexicon phrases (with whitespace runs and case), pattern
// matches across which pieces are cut, near misses, and multi-byte UTF-8.
std::string sample(std::mt19937& rng) {
  const std::vector<std::string> parts = {
      "The weather is fine. ", "I will KILL   you ", "kill myself", "skill you ", "killer ", "ssn 123-45-6789 ",
      "card 4111 1111 1111 1111 ", "api_key: sk_live_abc123 ", "API-KEY=zzz ", "café ☕ naïve ", "mass\n\nshooting ",
      "123-45-678 ", "porn", "o ", "end it all. ", "\xF0\x9F\x98\x80 ", "ssn abcdef ", "-", "4111-1111-1111-1111",
      "\t", "beat you to death", "."};
  std::uniform_int_distribution<std::size_t> pick(0, parts.size() - 1), count(1, 40);
  std::string s;
  for (std::size_t i = 0, n = count(rng); i < n; ++i) s += parts[pick(rng)];
  return s;
}

TEST(ContentStreamRedaction, JoinedPiecesEqualTheWholeTextRedacted) {
  ContentFilter f(options({"hate", "violence", "sexual", "self_harm"}, kPatterns));
  std::mt19937 rng(20261207);
  for (int round = 0; round < 3000; ++round) {
    std::string text = sample(rng);
    std::vector<std::size_t> cuts;
    std::uniform_int_distribution<int> how(0, 2);
    int mode = how(rng);
    for (std::size_t i = 1; i < text.size(); ++i) {
      // Every byte its own piece, a few random cuts, or many.
      bool cut = mode == 0 || std::uniform_int_distribution<int>(0, mode == 1 ? 12 : 2)(rng) == 0;
      if (cut) cuts.push_back(i);
    }
    std::size_t held = 0;
    std::string expected = whole(f, text);
    ASSERT_EQ(streamed(f, text, cuts, &held), expected) << "round " << round << " text: " << text;
    EXPECT_LE(held, ContentFilter::kMaxHeldBytes);
  }
}

TEST(ContentStreamRedaction, HoldsBackOnlyWhatAMatchInProgressSpans) {
  ContentFilter f(options({"violence"}, {kPatterns[0]}));
  ContentStreamRedactor r(f);
  EXPECT_EQ(r.feed("Nothing to see here. "), "Nothing to see here. ");
  EXPECT_EQ(r.feed("I will "), "");              // the start of "i will kill": held
  EXPECT_EQ(r.held(), 7u);
  EXPECT_EQ(r.feed("go home"), "I will go home");  // no phrase or pattern can continue it
  EXPECT_EQ(r.feed(". ssn 123-45-"), ". ssn ");   // the pattern's partial match: held
  EXPECT_EQ(r.held(), 7u);
  EXPECT_EQ(r.feed("6789"), "");                  // complete, but \b needs the next byte
  EXPECT_EQ(r.feed(" ok"), "[REDACTED:ssn] o");  // "k" could begin "kill you"
  EXPECT_EQ(r.finish(), "k");
}

TEST(ContentStreamRedaction, NeverSplitsAUtf8Character) {
  ContentFilter f(options({"violence"}, {{"euro", "\\d+ €"}}));
  ContentStreamRedactor r(f);
  std::string text = "price: 12 \xE2\x82\xAC and caf\xC3\xA9";
  std::string out;
  for (char c : text) {
    std::string piece = r.feed(std::string(1, c));
    if (!piece.empty()) {
      EXPECT_NE(static_cast<unsigned char>(piece.front()) & 0xC0, 0x80u) << "a piece starts inside a character";
      // Its last character is whole: the lead byte's length reaches exactly the end.
      std::size_t lead = piece.size() - 1;
      while (lead > 0 && (static_cast<unsigned char>(piece[lead]) & 0xC0) == 0x80) --lead;
      auto b = static_cast<unsigned char>(piece[lead]);
      std::size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      EXPECT_EQ(lead + need, piece.size()) << "a piece ends inside a character";
    }
    out += piece;
  }
  out += r.finish();
  EXPECT_EQ(out, "price: [REDACTED:euro] and caf\xC3\xA9");
}

TEST(ContentStreamRedaction, AnOpenMatchPastTheCapIsReleased) {
  ContentFilter f(options({}, {{"digits", "\\d+"}}));
  ContentStreamRedactor r(f);
  std::string out;
  for (int i = 0; i < 5000; ++i) out += r.feed("7");
  EXPECT_LE(r.held(), ContentFilter::kMaxHeldBytes);
  out += r.feed(" end");
  out += r.finish();
  EXPECT_EQ(out.substr(0, 19), "[REDACTED:digits][R");  // cut once at the cap: two spans
}

}  // namespace
}  // namespace kt::policies
