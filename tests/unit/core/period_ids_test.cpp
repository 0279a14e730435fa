// Calendar-month periods, RFC 3339 timestamps, ids and constant-time comparison.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/ids.hpp"
#include "core/period.hpp"

namespace kt {
namespace {

constexpr int64_t kApr1_2026 = 1775001600;
constexpr int64_t kMay1_2026 = 1777593600;

TEST(Period, AprilTwentyTwentySix) {
  Period p = month_period_of(1775986200);  // 2026-04-12T09:30:00Z
  EXPECT_EQ(p.label, "2026-04");
  EXPECT_EQ(p.start, kApr1_2026);
  EXPECT_EQ(p.end, kMay1_2026);
  EXPECT_EQ(p.first_day(), "2026-04-01");
  EXPECT_EQ(p.last_day(), "2026-04-30");
}

TEST(Period, MonthBoundaries) {
  EXPECT_EQ(month_period_of(kApr1_2026).label, "2026-04");
  EXPECT_EQ(month_period_of(kApr1_2026 - 1).label, "2026-03");
  EXPECT_EQ(month_period_of(kMay1_2026 - 1).label, "2026-04");
  EXPECT_EQ(month_period_of(kMay1_2026).label, "2026-05");
  // Year boundary.
  Period dec = month_period_of(1767225600 - 1);
  EXPECT_EQ(dec.label, "2025-12");
  EXPECT_EQ(dec.start, 1764547200);
  EXPECT_EQ(dec.end, 1767225600);
  EXPECT_EQ(dec.last_day(), "2025-12-31");
  EXPECT_EQ(month_period_of(1767225600).label, "2026-01");
}

TEST(Period, LeapYears) {
  Period feb2024 = month_period_of(1706745600 + 86400 * 28);  // 2024-02-29
  EXPECT_EQ(feb2024.label, "2024-02");
  EXPECT_EQ(feb2024.last_day(), "2024-02-29");
  EXPECT_EQ(feb2024.end - feb2024.start, 29 * 86400);
  Period feb2023 = month_period_of(1675209600);
  EXPECT_EQ(feb2023.last_day(), "2023-02-28");
  EXPECT_EQ(feb2023.end, 1677628800);
  Period feb2000;  // divisible by 400: leap
  ASSERT_TRUE(parse_month_label("2000-02", feb2000));
  EXPECT_EQ(feb2000.last_day(), "2000-02-29");
  Period feb2100;  // divisible by 100 only: not leap
  ASSERT_TRUE(parse_month_label("2100-02", feb2100));
  EXPECT_EQ(feb2100.start, 4105123200);
  EXPECT_EQ(feb2100.end, 4107542400);
  EXPECT_EQ(feb2100.last_day(), "2100-02-28");
}

TEST(Period, BeforeTheEpoch) {
  Period p = month_period_of(-1);
  EXPECT_EQ(p.label, "1969-12");
  EXPECT_EQ(p.start, -2678400);
  EXPECT_EQ(p.end, 0);
  EXPECT_EQ(p.first_day(), "1969-12-01");
  EXPECT_EQ(p.last_day(), "1969-12-31");
}

TEST(Period, ParseMonthLabel) {
  Period p;
  ASSERT_TRUE(parse_month_label("2026-04", p));
  EXPECT_EQ(p.start, kApr1_2026);
  EXPECT_EQ(p.end, kMay1_2026);
  EXPECT_EQ(p.label, "2026-04");
  Period q;
  ASSERT_TRUE(parse_month_label("2026-12", q));
  EXPECT_EQ(q.last_day(), "2026-12-31");
  for (const char* bad : {"", "2026", "2026-4", "2026-13", "2026-00", "26-04", "2026/04", "2026-04-01",
                          " 2026-4", "2026- 4", "2026-+4", "2026-4x", "abcd-ef", "1969-12", "+202-04"}) {
    Period out;
    EXPECT_FALSE(parse_month_label(bad, out)) << "accepted '" << bad << "'";
  }
}

TEST(Rfc3339, FormatsMicroseconds) {
  EXPECT_EQ(format_rfc3339(1775986200LL * 1000000 + 123456), "2026-04-12T09:30:00.123456Z");
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(kMay1_2026 * 1000000LL - 1), "2026-04-30T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339((1706745600LL + 86400 * 28 + 3661) * 1000000), "2024-02-29T01:01:01.000000Z");
}

// Seconds from the wire or the store (a price's effective_from, a lease's times) may be anything an
// int64 holds: they print, saturated, instead of overflowing (the ledger_wire fuzzer found one).
TEST(Rfc3339, FormatsSecondsSaturated) {
  EXPECT_EQ(format_rfc3339_seconds(1775986200LL), "2026-04-12T09:30:00.000000Z");
  EXPECT_EQ(format_rfc3339_seconds(INT64_MAX), "9999-12-31T23:59:59.000000Z");
  EXPECT_EQ(format_rfc3339_seconds(INT64_MIN), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339_seconds(1767225767225600LL), "9999-12-31T23:59:59.000000Z");
}

TEST(Clock, NowIsConsistent) {
  int64_t us = now_unix_micros();
  int64_t s = now_unix_seconds();
  EXPECT_GT(s, 1700000000);  // after 2023
  EXPECT_LE(us / 1000000, s);
  EXPECT_LE(s - us / 1000000, 1);
}

TEST(Ids, PrefixAndHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_id("req_");
    ASSERT_EQ(id.size(), 4u + 24u);
    EXPECT_EQ(id.substr(0, 4), "req_");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(new_id("").size(), 24u);
}

TEST(ConstantTimeEqual, Semantics) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("kt_cg_engineering_abc123", "kt_cg_engineering_abc123"));
  EXPECT_FALSE(constant_time_equal("kt_cg_engineering_abc123", "kt_cg_engineering_abc124"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("abcd", "abc"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  // A shorter input padded with NULs must not compare equal to one that really has them.
  EXPECT_FALSE(constant_time_equal(std::string_view("ab\0", 3), "ab"));
  EXPECT_FALSE(constant_time_equal("Abc", "abc"));
}

}  // namespace
}  // namespace kt
