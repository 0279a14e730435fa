#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "config/gateway_config.hpp"
#include "policies/content_filter/content_filter.hpp"
#include "policies/content_filter/lexicon.hpp"
#include "policies/policy.hpp"

namespace kt::policies {
namespace {

config::Policy make_config(std::vector<std::string> categories, std::string action = "flag",
                           std::string threshold = "medium") {
  config::Policy p;
  p.name = "content-filter";
  p.type = "content_filter";
  p.action = std::move(action);
  p.categories = std::move(categories);
  p.threshold = std::move(threshold);
  return p;
}

PolicyVerdict run(const RequestPolicy& policy, std::vector<std::string_view> texts) {
  return policy.evaluate(PolicyInput{std::move(texts)});
}

const std::vector<std::string> kAll = {"hate", "violence", "sexual", "self_harm"};

TEST(ContentFilter, RegistryBuildsIt) {
  auto p = make_policy(make_config({"hate"}));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "content-filter");
  config::Policy unknown = make_config({"hate"});
  unknown.type = "pii_redaction";
  EXPECT_THROW(make_policy(unknown), std::invalid_argument);
}

TEST(ContentFilter, BadOptionsThrow) {
  EXPECT_THROW(make_policy(make_config({})), std::invalid_argument);
  EXPECT_THROW(make_policy(make_config({"spam"})), std::invalid_argument);
  EXPECT_THROW(make_policy(make_config({"hate"}, "flag", "extreme")), std::invalid_argument);
}

TEST(ContentFilter, MatchesAConfiguredCategory) {
  auto p = make_policy(make_config({"self_harm"}));
  PolicyVerdict v = run(*p, {"Sometimes I think about how to kill myself."});
  EXPECT_TRUE(v.triggered);
  EXPECT_EQ(v.policy_name, "content-filter");
  EXPECT_EQ(v.policy_type, "content_filter");
  EXPECT_EQ(v.action, "flag");
  EXPECT_EQ(v.categories, std::vector<std::string>{"self_harm"});
  EXPECT_EQ(v.matches, std::vector<std::string>{"kill myself"});
}

TEST(ContentFilter, TutorialRequestIsClean) {
  auto p = make_policy(make_config(kAll));
  PolicyVerdict v = run(*p, {"You are a helpful assistant.", "Write a short haiku about cloud computing."});
  EXPECT_FALSE(v.triggered);
  EXPECT_TRUE(v.categories.empty());
  EXPECT_TRUE(v.matches.empty());
  EXPECT_EQ(v.action, "flag");  // carried even when not triggered
}

TEST(ContentFilter, NoFalsePositivesOnOrdinaryText) {
  auto p = make_policy(make_config(kAll));
  for (std::string_view text :
       {"Write a long essay about every country in the world.",
        "How do I kill the process listening on port 8080 with kill -9?",
        "Her skills in Python are excellent; she is a skilled engineer.",
        "Please shoot me an email with the quarterly report.",
        "Our KMS key rotation policy, replace XXX with your account id.",
        "The hateful eight is a film; I hate Mondays.",
        "Essex and Middlesex are English counties.",
        "The cutting-edge GPU cut my training time in half.",
        "Summarise the history of the Roman empire in three bullet points."}) {
    PolicyVerdict v = run(*p, {text});
    EXPECT_FALSE(v.triggered) << text << " matched " << (v.matches.empty() ? "" : v.matches[0]);
  }
}

TEST(ContentFilter, WordBoundariesAndCase) {
  auto p = make_policy(make_config({"violence", "sexual"}));
  EXPECT_FALSE(run(*p, {"a pornographer's skill you say"}).triggered);  // "porn" inside a word, "kill you" inside "skill you"
  PolicyVerdict v = run(*p, {"I will KILL   YOU"});
  EXPECT_TRUE(v.triggered);
  EXPECT_EQ(v.matches, (std::vector<std::string>{"i will kill", "kill you"}));
  EXPECT_TRUE(run(*p, {"PoRn"}).triggered);
}

TEST(ContentFilter, MultipleCategoriesInConfiguredOrder) {
  auto p = make_policy(make_config({"self_harm", "hate", "violence", "sexual"}, "block"));
  PolicyVerdict v = run(*p, {"They chanted white power.", "Then he said: I'm going to kill them and then commit suicide"});
  EXPECT_TRUE(v.triggered);
  EXPECT_EQ(v.action, "block");
  EXPECT_EQ(v.categories, (std::vector<std::string>{"self_harm", "hate", "violence"}));
  EXPECT_EQ(v.matches, (std::vector<std::string>{"white power", "going to kill", "kill them", "commit suicide",
                                                 "suicide"}));  // same end: longest first
}

TEST(ContentFilter, UnconfiguredCategoriesAreNotReported) {
  auto hate_only = make_policy(make_config({"hate"}));
  PolicyVerdict v = run(*hate_only, {"I want to kill myself", "send nudes", "massacre"});
  EXPECT_FALSE(v.triggered);
  EXPECT_TRUE(v.categories.empty());
  PolicyVerdict mixed = run(*hate_only, {"subhuman scum, i want to kill myself"});
  EXPECT_TRUE(mixed.triggered);
  EXPECT_EQ(mixed.categories, std::vector<std::string>{"hate"});
  EXPECT_EQ(mixed.matches, std::vector<std::string>{"subhuman"});
}

TEST(ContentFilter, ActionIsCarriedThrough) {
  for (std::string action : {"flag", "block", "redact"}) {
    auto p = make_policy(make_config({"violence"}, action));
    PolicyVerdict v = run(*p, {"there was a mass shooting"});
    EXPECT_TRUE(v.triggered);
    EXPECT_EQ(v.action, action);
  }
}

TEST(ContentFilter, HighThresholdNeedsTwoMatches) {
  auto low = make_policy(make_config({"violence"}, "block", "low"));
  auto medium = make_policy(make_config({"violence"}, "block", "medium"));
  auto high = make_policy(make_config({"violence"}, "block", "high"));
  EXPECT_TRUE(run(*low, {"a massacre"}).triggered);
  EXPECT_TRUE(run(*medium, {"a massacre"}).triggered);
  EXPECT_FALSE(run(*high, {"a massacre"}).triggered);
  EXPECT_TRUE(run(*high, {"a massacre", "then a beheading"}).triggered);  // across texts
  EXPECT_TRUE(run(*high, {"massacre after massacre"}).triggered);         // repeated term counts twice
}

TEST(ContentFilter, EmptyInput) {
  auto p = make_policy(make_config(kAll));
  EXPECT_FALSE(run(*p, {}).triggered);
  EXPECT_FALSE(run(*p, {""}).triggered);
}

TEST(ContentFilter, Redact) {
  auto p = make_policy(make_config({"violence", "self_harm"}, "redact"));
  // "i will kill" and "kill you" overlap: one merged span.
  EXPECT_EQ(p->redact("I will kill you, then kill myself."), "[REDACTED:violence], then [REDACTED:self_harm].");
  EXPECT_EQ(p->redact("Massacre"), "[REDACTED:violence]");
  EXPECT_EQ(p->redact("a perfectly fine sentence"), std::nullopt);
}

TEST(ContentFilter, FromConfigLoader) {
  config::LoadResult r = config::load_gateway_config_text(R"(version: '1'
policies:
  - name: strict
    type: content_filter
    action: block
    config:
      categories: [sexual]
      threshold: high
)", "inline.yaml");
  ASSERT_TRUE(r.ok());
  auto p = make_policy(r.config->policies.at(0));
  EXPECT_EQ(p->name(), "strict");
  EXPECT_FALSE(run(*p, {"nsfw"}).triggered);
  EXPECT_FALSE(run(*p, {"nsfw porn"}).triggered);  // 1 + 2 < 4
  PolicyVerdict v = run(*p, {"nsfw porn, more porn"});
  EXPECT_TRUE(v.triggered);
  EXPECT_EQ(v.action, "block");
}

TEST(ContentFilter, SharedAcrossThreads) {
  auto p = make_policy(make_config(kAll));
  std::vector<std::thread> threads;
  std::vector<int> triggered(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (run(*p, {i % 2 ? "ordinary cloud computing text" : "a bomb threat was made"}).triggered) ++triggered[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int n : triggered) EXPECT_EQ(n, 1000);
}

TEST(Lexicon, EveryCategoryHasTermsAndEveryTermMatchesItself) {
  for (const std::string& cat : kAll) {
    auto terms = content_lexicon(cat);
    EXPECT_GE(terms.size(), 20u) << cat;
    auto p = make_policy(make_config({cat}));
    for (std::string_view term : terms) {
      std::string text = "well, " + std::string(term) + " indeed";
      PolicyVerdict v = run(*p, {text});
      EXPECT_TRUE(v.triggered) << cat << ": '" << term << "'";
    }
  }
  EXPECT_TRUE(content_lexicon("spam").empty());
  for (const std::string& cat : kAll) {
    auto low = make_policy(make_config({cat}, "flag", "low"));
    auto medium = make_policy(make_config({cat}, "flag", "medium"));
    for (std::string_view term : content_lexicon_mild(cat)) {
      std::string text = "well, " + std::string(term) + " indeed";
      EXPECT_TRUE(run(*low, {text}).triggered) << cat << ": '" << term << "'";
      EXPECT_FALSE(run(*medium, {text}).triggered) << cat << ": '" << term << "' (mild)";
      EXPECT_TRUE(run(*medium, {text, text}).triggered) << cat << ": '" << term << "' twice";
    }
  }
}

}  // namespace
}  // namespace kt::policies
