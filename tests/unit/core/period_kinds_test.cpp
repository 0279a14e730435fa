// Weekly, daily and endless periods, time zones (TZif and fixed offsets) across DST, labels.
#include <gtest/gtest.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/period.hpp"
#include "core/timezone.hpp"

namespace kt {
namespace {

const PeriodSpec kParisMonthly{PeriodKind::monthly, "Europe/Paris"};
const PeriodSpec kNewYorkDaily{PeriodKind::daily, "America/New_York"};

TEST(TimeZone, FixedOffsets) {
  int64_t s = 0;
  EXPECT_TRUE(parse_fixed_offset("+05:30", s));
  EXPECT_EQ(s, 19800);
  EXPECT_TRUE(parse_fixed_offset("-08:00", s));
  EXPECT_EQ(s, -28800);
  EXPECT_TRUE(parse_fixed_offset("+14", s));
  EXPECT_EQ(s, 14 * 3600);
  for (const char* bad : {"05:30", "+5:30", "+05:60", "+19:00", "+05:3", "+0530", "", "UTC+1"})
    EXPECT_FALSE(parse_fixed_offset(bad, s)) << bad;
}

TEST(TimeZone, LoadsIanaZonesAndRefusesOthers) {
  auto paris = TimeZone::load("Europe/Paris");
  ASSERT_NE(paris, nullptr);
  EXPECT_EQ(paris->offset_at(1774746000 - 1), 3600);  // 2026-03-29T00:59:59Z: CET
  EXPECT_EQ(paris->offset_at(1774746000), 7200);      // 01:00Z: CEST
  std::string error;
  EXPECT_EQ(TimeZone::load("Mars/Olympus_Mons", &error), nullptr);
  EXPECT_NE(error.find("Mars/Olympus_Mons"), std::string::npos);
  EXPECT_EQ(TimeZone::load("../../etc/passwd"), nullptr);
  EXPECT_EQ(TimeZone::load("/etc/passwd"), nullptr);
  EXPECT_FALSE(valid_timezone("Europe/Nowhere"));
  // Found by the ledger_wire fuzzer: a folder of zones opened, and its first read threw
  // std::ios_base::failure (a 500 from POST /v1/wallets/allocate; a gateway's ledger batch whose
  // results named such a zone failed on every retry).
  for (const char* folder : {"Europe", "America", "Etc", "posix"}) {
    std::string folder_error;
    EXPECT_EQ(TimeZone::load(folder, &folder_error), nullptr) << folder;
    EXPECT_NE(folder_error.find("unknown time zone"), std::string::npos) << folder_error;
  }
  EXPECT_TRUE(valid_timezone("UTC"));
  EXPECT_TRUE(valid_timezone("America/New_York"));
  EXPECT_TRUE(valid_timezone("-03:30"));
}

TEST(TimeZone, LocalMidnightInAGapIsTheShift) {
  // America/Santiago skips Sunday 2026-09-06 00:00-01:00: the day starts at the shift.
  auto z = TimeZone::load("America/Santiago");
  ASSERT_NE(z, nullptr);
  Period d = period_of({PeriodKind::daily, "America/Santiago"}, 1788667200 + 3600);
  EXPECT_EQ(d.label, "2026-09-06");
  EXPECT_EQ(d.start, 1788667200);
  EXPECT_EQ(period_of({PeriodKind::daily, "America/Santiago"}, 1788667199).label, "2026-09-05");
}

TEST(PeriodKinds, NamesRoundTrip) {
  for (PeriodKind k : {PeriodKind::monthly, PeriodKind::weekly, PeriodKind::daily, PeriodKind::none}) {
    PeriodKind back = PeriodKind::monthly;
    ASSERT_TRUE(parse_period_kind(period_kind_name(k), back));
    EXPECT_EQ(back, k);
  }
  PeriodKind k;
  EXPECT_FALSE(parse_period_kind("yearly", k));
  EXPECT_FALSE(parse_period_kind("Monthly", k));
}

TEST(PeriodKinds, MonthlyInParisStartsAtLocalMidnight) {
  Period p = period_of(kParisMonthly, 1775986200);  // 2026-04-12T09:30Z
  EXPECT_EQ(p.label, "2026-04");
  EXPECT_EQ(p.start, 1774994400);  // 2026-04-01T00:00+02:00
  EXPECT_EQ(p.end, 1777586400);    // 2026-05-01T00:00+02:00
  EXPECT_EQ(p.first_day(), "2026-04-01");
  EXPECT_EQ(p.last_day(), "2026-04-30");
  // 2026-04-30T22:30Z is already May in Paris, still April in UTC.
  EXPECT_EQ(period_of(kParisMonthly, 1777586400 + 1800).label, "2026-05");
  EXPECT_EQ(month_period_of(1777586400 + 1800).label, "2026-04");
  // October holds the autumn shift: 31 days and one hour.
  Period oct = period_of(kParisMonthly, 1790805600 + 86400);
  EXPECT_EQ(oct.start, 1790805600);
  EXPECT_EQ(oct.end, 1793487600);
  EXPECT_EQ(oct.end - oct.start, 31 * 86400 + 3600);
}

TEST(PeriodKinds, DailyAcrossDstInNewYork) {
  // 2026-03-08 is 23 hours long in New York, 2026-11-01 is 25.
  Period spring = period_of(kNewYorkDaily, 1772946000 + 3 * 3600);
  EXPECT_EQ(spring.label, "2026-03-08");
  EXPECT_EQ(spring.start, 1772946000);
  EXPECT_EQ(spring.end, 1773028800);
  EXPECT_EQ(spring.end - spring.start, 23 * 3600);
  Period autumn = period_of(kNewYorkDaily, 1793505600 + 3600);
  EXPECT_EQ(autumn.label, "2026-11-01");
  EXPECT_EQ(autumn.end - autumn.start, 25 * 3600);
  EXPECT_EQ(autumn.end, 1793595600);
  // One second before local midnight is still the previous day.
  EXPECT_EQ(period_of(kNewYorkDaily, 1772946000 - 1).label, "2026-03-07");
  EXPECT_EQ(period_of(kNewYorkDaily, 1772946000).label, "2026-03-08");
}

TEST(PeriodKinds, WeeklyIsoWeeks) {
  const PeriodSpec utc_weekly{PeriodKind::weekly, "UTC"};
  Period w = period_of(utc_weekly, 1775986200);  // Sunday 2026-04-12
  EXPECT_EQ(w.label, "2026-W15");
  EXPECT_EQ(w.first_day(), "2026-04-06");
  EXPECT_EQ(w.last_day(), "2026-04-12");
  EXPECT_EQ(w.start, 1775433600);
  EXPECT_EQ(w.end, 1775433600 + 7 * 86400);
  // Monday 00:00 starts the next week.
  EXPECT_EQ(period_of(utc_weekly, w.end).label, "2026-W16");
  EXPECT_EQ(period_of(utc_weekly, w.end - 1).label, "2026-W15");
  // 2026-12-28 (Monday) starts 2026-W53; 2027-01-04 starts 2027-W01; 2021-01-01 is in 2020-W53.
  EXPECT_EQ(period_of(utc_weekly, 1798416000).label, "2026-W53");
  EXPECT_EQ(period_of(utc_weekly, 1799020800).label, "2027-W01");
  EXPECT_EQ(period_of(utc_weekly, 1609459200).label, "2020-W53");
  // In New York the week starts at local Monday midnight.
  Period ny = period_of({PeriodKind::weekly, "America/New_York"}, 1775986200);
  EXPECT_EQ(ny.start, 1775448000);
}

TEST(PeriodKinds, FixedOffsetDaily) {
  Period d = period_of({PeriodKind::daily, "+05:30"}, 1775932200);  // 2026-04-12T00:00+05:30
  EXPECT_EQ(d.label, "2026-04-12");
  EXPECT_EQ(d.start, 1775932200);
  EXPECT_EQ(d.end, 1775932200 + 86400);
  EXPECT_EQ(period_of({PeriodKind::daily, "+05:30"}, 1775932200 - 1).label, "2026-04-11");
}

TEST(PeriodKinds, NoneIsOneEndlessPeriod) {
  Period a = period_of({PeriodKind::none, "UTC"}, 1775986200);
  Period b = period_of({PeriodKind::none, "Europe/Paris"}, 4000000000);
  EXPECT_EQ(a.label, "all");
  EXPECT_EQ(a.start, 0);
  EXPECT_EQ(a.end, INT64_MAX);
  EXPECT_EQ(b.start, a.start);
  EXPECT_EQ(a.first_day(), "");
  Period parsed;
  ASSERT_TRUE(parse_period_label({PeriodKind::none, "UTC"}, "all", parsed));
  EXPECT_EQ(parsed.kind, PeriodKind::none);
}

TEST(PeriodKinds, UnknownZoneThrows) {
  EXPECT_THROW(period_of({PeriodKind::daily, "Nowhere/City"}, 0), std::invalid_argument);
  Period p;
  EXPECT_FALSE(parse_period_label({PeriodKind::daily, "Nowhere/City"}, "2026-04-12", p));
}

TEST(PeriodLabels, RoundTripEveryKindAndZone) {
  for (const char* tz : {"UTC", "Europe/Paris", "America/New_York", "+05:30", "-09:30"}) {
    for (PeriodKind k : {PeriodKind::monthly, PeriodKind::weekly, PeriodKind::daily, PeriodKind::none}) {
      PeriodSpec spec{k, tz};
      // Every six hours through 2026 and across the new year.
      for (int64_t t = 1767225600 - 86400 * 10; t < 1798761600 + 86400 * 10; t += 6 * 3600 + 17) {
        Period p = period_of(spec, t);
        ASSERT_LE(p.start, t) << tz << " " << p.label;
        ASSERT_GT(p.end, t) << tz << " " << p.label;
        Period back;
        ASSERT_TRUE(parse_period_label(spec, p.label, back)) << p.label;
        ASSERT_EQ(back.start, p.start) << tz << " " << p.label;
        ASSERT_EQ(back.end, p.end) << tz << " " << p.label;
        ASSERT_EQ(back.kind, k);
        if (k != PeriodKind::none) {
          ASSERT_EQ(period_of(spec, p.end).start, p.end);  // periods tile time
        }
      }
    }
  }
}

TEST(PeriodLabels, MalformedLabelsAreRefused) {
  Period p;
  const PeriodSpec utc{};
  for (const char* bad : {"", "2026", "2026-4", "2026-13", "2026-00", "2026-W00", "2026-W54", "2025-W53",
                          "2026-02-30", "2026-04-31", "2026-04-1", " 2026-04", "2026-+4", "1969-12", "ALL",
                          "2026-w15", "2026/04", "2026-04-12T00"})
    EXPECT_FALSE(parse_period_label(utc, bad, p)) << bad;
  EXPECT_TRUE(parse_period_label(utc, "2026-W53", p));
  EXPECT_EQ(p.first_day(), "2026-12-28");
  EXPECT_TRUE(parse_period_label(utc, "2024-02-29", p));
  EXPECT_EQ(p.kind, PeriodKind::daily);
  // The label's shape decides the kind, whatever the wallet's kind is now.
  EXPECT_TRUE(parse_period_label({PeriodKind::daily, "Europe/Paris"}, "2026-04", p));
  EXPECT_EQ(p.kind, PeriodKind::monthly);
  EXPECT_EQ(p.start, 1774994400);
}

TEST(FakeClock, ReadsTheFileAtEveryCall) {
  std::string path = ::testing::TempDir() + "kt_fake_clock_test";
  auto write = [&](const char* text) {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text, f);
    std::fclose(f);
  };
  write("1777593590\n");
  ::setenv("KT_FAKE_CLOCK_FILE", path.c_str(), 1);
  reread_fake_clock_setting();
  EXPECT_EQ(now_unix_seconds(), 1777593590);
  EXPECT_EQ(now_unix_micros(), 1777593590LL * 1000000);
  write("1777593605");
  EXPECT_EQ(now_unix_seconds(), 1777593605);
  ::unsetenv("KT_FAKE_CLOCK_FILE");
  reread_fake_clock_setting();
  EXPECT_GT(now_unix_seconds(), 1700000000);
  EXPECT_NE(now_unix_seconds(), 1777593605);
}

}  // namespace
}  // namespace kt
