#include <gtest/gtest.h>

#include <array>

#include "config/did_you_mean.hpp"

namespace kt::config {
namespace {

TEST(EditDistance, Basics) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("wallet_enforcment", "wallet_enforcement"), 1u);
  EXPECT_EQ(edit_distance("acton", "action"), 1u);
  EXPECT_EQ(edit_distance("ation", "action"), 1u);
  EXPECT_EQ(edit_distance("Action", "action"), 0u);  // case does not count
}

TEST(EditDistance, TranspositionCostsOne) {
  EXPECT_EQ(edit_distance("polciies", "policies"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
}

TEST(ClosestMatch, PicksTheNearest) {
  constexpr std::array<std::string_view, 4> keys = {"enabled", "wallet_enforcement", "budget_alerts", "unknown_model"};
  EXPECT_EQ(closest_match("enabeld", keys), "enabled");
  EXPECT_EQ(closest_match("budget_alert", keys), "budget_alerts");
  EXPECT_EQ(closest_match("budget", keys), "budget_alerts");  // prefix
  EXPECT_EQ(closest_match("wallet_enforcement_mode", keys), "wallet_enforcement");  // candidate is a prefix
  EXPECT_EQ(closest_match("colour", keys), "");
}

TEST(ClosestMatch, ShortWordsNeedCloseMatches) {
  constexpr std::array<std::string_view, 2> keys = {"id", "env"};
  EXPECT_EQ(closest_match("xy", keys), "");   // two edits of a two-letter word is not a typo
  EXPECT_EQ(closest_match("ix", keys), "id");
  EXPECT_EQ(closest_match("en", keys), "env");
}

}  // namespace
}  // namespace kt::config
