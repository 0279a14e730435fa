// The gateway's price book: the version in force at a time, scheduled versions taking over at
// their effective_from without a refresh, and ties going to the higher version.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "gateway/budget/price_book.hpp"

namespace kt::gateway {
namespace {

ledger::PricingRow row(const char* model, int64_t version, int64_t from, const char* output) {
  ledger::PricingRow p;
  p.model = model;
  p.provider = "openai";
  p.input_per_1k = *Money::parse("0.00015");
  p.output_per_1k = *Money::parse(output);
  p.version = version;
  p.effective_from = from;
  return p;
}

const int64_t kNow = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();

TEST(PriceBook, ScheduledVersionTakesOverAtItsTime) {
  boost::asio::io_context ioc;
  PriceBook book(ioc, std::nullopt);
  book.set({row("gpt-4o-mini", 2, kNow + 3600, "0.0012"), row("gpt-4o-mini", 1, kNow - 60, "0.0006")});
  ASSERT_NE(book.find("gpt-4o-mini"), nullptr);
  EXPECT_EQ(book.find("gpt-4o-mini")->version, 1);
  EXPECT_EQ(book.find_at("gpt-4o-mini", kNow + 3599)->version, 1);
  const auto* later = book.find_at("gpt-4o-mini", kNow + 3600);
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(later->version, 2);
  EXPECT_EQ(later->output_per_1k, *Money::parse("0.0012"));
  EXPECT_EQ(book.all().at("gpt-4o-mini").version, 2);
}

TEST(PriceBook, AModelFirstPricedLaterIsUnknownUntilThen) {
  boost::asio::io_context ioc;
  PriceBook book(ioc, std::nullopt);
  book.set({row("new-model", 1, kNow + 100, "0.001")});
  EXPECT_EQ(book.find("new-model"), nullptr);
  ASSERT_NE(book.find_at("new-model", kNow + 100), nullptr);
}

TEST(PriceBook, LatestEffectiveFromWinsThenHigherVersion) {
  boost::asio::io_context ioc;
  PriceBook book(ioc, std::nullopt);
  book.set({row("m", 3, kNow - 10, "0.003"), row("m", 4, kNow - 10, "0.004"), row("m", 5, kNow - 100, "0.005")});
  EXPECT_EQ(book.find("m")->version, 4);
  // Rows from an API without effective_from are in force.
  ledger::PricingRow legacy = row("old", 7, 0, "0.001");
  legacy.effective_from.reset();
  book.set({legacy});
  ASSERT_NE(book.find("old"), nullptr);
  EXPECT_EQ(book.find("old")->version, 7);
}

}  // namespace
}  // namespace kt::gateway
