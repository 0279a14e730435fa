// The Prometheus text writer: exact decimals, escaped labels, cumulative histogram buckets.
#include <gtest/gtest.h>

#include <array>

#include "core/prom_text.hpp"

namespace kt {
namespace {

TEST(PromText, DecimalFromMicrosIsExact) {
  EXPECT_EQ(decimal_from_micros(0), "0");
  EXPECT_EQ(decimal_from_micros(1), "0.000001");
  EXPECT_EQ(decimal_from_micros(1500), "0.0015");
  EXPECT_EQ(decimal_from_micros(2'000'000), "2");
  EXPECT_EQ(decimal_from_micros(123'456'789), "123.456789");
  EXPECT_EQ(decimal_from_micros(-250'000), "-0.25");
}

TEST(PromText, FamilyAndSamplesWithExactMoney) {
  PromText p;
  p.family("kt_spend_usd_total", "counter", "Spend.");
  p.sample("kt_spend_usd_total", {{"team", "eng"}, {"model", "gpt-4o-mini"}}, *Money::parse("0.0000171"));
  p.sample("kt_plain", {}, uint64_t(42));
  EXPECT_EQ(p.take(),
            "# HELP kt_spend_usd_total Spend.\n# TYPE kt_spend_usd_total counter\n"
            "kt_spend_usd_total{team=\"eng\",model=\"gpt-4o-mini\"} 0.0000171\n"
            "kt_plain 42\n");
}

TEST(PromText, EscapesLabelValuesAndHelp) {
  PromText p;
  p.family("kt_x", "gauge", "a \\ b\nc \"q\"");
  p.sample("kt_x", {{"team", "a\"b\\c\nd"}}, uint64_t(1));
  EXPECT_EQ(p.take(), "# HELP kt_x a \\\\ b\\nc \"q\"\n# TYPE kt_x gauge\nkt_x{team=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(PromText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  constexpr std::array<int64_t, 2> bounds = {1000, 250'000};
  const std::array<uint64_t, 3> counts = {2, 0, 1};
  PromText p;
  p.histogram("kt_d_seconds", {{"route", "r"}}, bounds, counts, 3'001'500);
  EXPECT_EQ(p.take(),
            "kt_d_seconds_bucket{route=\"r\",le=\"0.001\"} 2\n"
            "kt_d_seconds_bucket{route=\"r\",le=\"0.25\"} 2\n"
            "kt_d_seconds_bucket{route=\"r\",le=\"+Inf\"} 3\n"
            "kt_d_seconds_sum{route=\"r\"} 3.0015\n"
            "kt_d_seconds_count{route=\"r\"} 3\n");
}

}  // namespace
}  // namespace kt
