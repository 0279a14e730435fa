#include <algorithm>
#include "core/period.hpp"

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "core/timezone.hpp"

namespace kt {
namespace {

using namespace std::chrono;
constexpr int64_t kDay = 86400;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string ymd(int64_t day) {
  year_month_day v{sys_days{days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(v.year()), unsigned(v.month()), unsigned(v.day()));
  return buf;
}

int64_t day_of(year_month_day v) { return sys_days{v}.time_since_epoch().count(); }

// Monday of the ISO week holding `day` (1970-01-01, day 0, was a Thursday).
int64_t monday_of(int64_t day) { return day - (((day + 3) % 7) + 7) % 7; }

// ISO year and week of the week starting on `monday`: the year of its Thursday.
void iso_week(int64_t monday, int& year_out, int& week_out) {
  int64_t thursday = monday + 3;
  year_month_day v{sys_days{days{thursday}}};
  year_out = int(v.year());
  int64_t jan1 = day_of(v.year() / January / 1);
  week_out = int((thursday - jan1) / 7 + 1);
}

// Monday of ISO week 1: the week holding January 4th.
int64_t week1_monday(int y) { return monday_of(day_of(year{y} / January / 4)); }

std::shared_ptr<const TimeZone> zone_of(const std::string& name) {
  std::string error;
  auto z = TimeZone::load(name, &error);
  if (!z) throw std::invalid_argument(error);
  return z;
}

// The period of `kind` whose first local day is `first` (local day number).
Period make(PeriodKind kind, const std::string& tz_name, const TimeZone& tz, int64_t first) {
  Period p;
  p.kind = kind;
  p.timezone = tz_name;
  int64_t next = first + 1;
  char buf[16];
  if (kind == PeriodKind::monthly) {
    year_month_day v{sys_days{days{first}}};
    next = day_of((v.year() / v.month() + months{1}) / 1);
    std::snprintf(buf, sizeof buf, "%04d-%02u", int(v.year()), unsigned(v.month()));
    p.label = buf;
  } else if (kind == PeriodKind::weekly) {
    next = first + 7;
    int y = 0, w = 0;
    iso_week(first, y, w);
    std::snprintf(buf, sizeof buf, "%04d-W%02d", y, w);
    p.label = buf;
  } else {
    p.label = ymd(first);
  }
  p.start = tz.local_to_utc(first * kDay);
  p.end = tz.local_to_utc(next * kDay);
  p.first_date = ymd(first);
  p.last_date = ymd(next - 1);
  return p;
}

Period endless(const std::string& tz_name) {
  Period p;
  p.kind = PeriodKind::none;
  p.timezone = tz_name;
  p.start = 0;
  p.end = INT64_MAX;
  p.label = "all";
  return p;
}

bool digits(const std::string& s, std::initializer_list<size_t> at) {
  for (size_t i : at)
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  return true;
}
int num(const std::string& s, size_t from, size_t len) {
  int v = 0;
  for (size_t i = from; i < from + len; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

const char* period_kind_name(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::monthly: return "monthly";
    case PeriodKind::weekly: return "weekly";
    case PeriodKind::daily: return "daily";
    case PeriodKind::none: return "none";
  }
  return "monthly";
}

bool parse_period_kind(std::string_view text, PeriodKind& out) {
  for (PeriodKind k : {PeriodKind::monthly, PeriodKind::weekly, PeriodKind::daily, PeriodKind::none})
    if (text == period_kind_name(k)) {
      out = k;
      return true;
    }
  return false;
}

bool valid_timezone(const std::string& timezone, std::string* error) {
  return TimeZone::load(timezone, error) != nullptr;
}

std::string Period::first_day() const {
  if (!first_date.empty() || kind == PeriodKind::none) return first_date;
  return ymd(floor_div(start, kDay));  // a Period built by hand: UTC dates
}
std::string Period::last_day() const {
  if (!last_date.empty() || kind == PeriodKind::none) return last_date;
  return ymd(floor_div(end, kDay) - 1);
}

Period period_of(const PeriodSpec& spec, int64_t unix_seconds) {
  auto tz = zone_of(spec.timezone);
  if (spec.kind == PeriodKind::none) return endless(spec.timezone);
  int64_t day = floor_div(tz->utc_to_local(unix_seconds), kDay);
  int64_t first = day;
  if (spec.kind == PeriodKind::weekly) {
    first = monday_of(day);
  } else if (spec.kind == PeriodKind::monthly) {
    year_month_day v{sys_days{days{day}}};
    first = day_of(v.year() / v.month() / 1);
  }
  return make(spec.kind, spec.timezone, *tz, first);
}

bool parse_period_label(const PeriodSpec& spec, const std::string& label, Period& out) {
  std::string error;
  auto tz = TimeZone::load(spec.timezone, &error);
  if (!tz) return false;
  if (label == "all") {
    out = endless(spec.timezone);
    return true;
  }
  if (!digits(label, {0, 1, 2, 3}) || label.size() < 7 || label[4] != '-') return false;
  const int y = num(label, 0, 4);
  if (y < 1970 || y > 9999) return false;
  if (label.size() == 7 && digits(label, {5, 6})) {  // 2026-04
    unsigned m = unsigned(num(label, 5, 2));
    if (m < 1 || m > 12) return false;
    out = make(PeriodKind::monthly, spec.timezone, *tz, day_of(year{y} / month{m} / 1));
    return true;
  }
  if (label.size() == 8 && label[5] == 'W' && digits(label, {6, 7})) {  // 2026-W15
    int w = num(label, 6, 2);
    int64_t monday = week1_monday(y) + int64_t(w - 1) * 7;
    int iy = 0, iw = 0;
    iso_week(monday, iy, iw);
    if (w < 1 || iy != y || iw != w) return false;  // week 53 only exists in some years
    out = make(PeriodKind::weekly, spec.timezone, *tz, monday);
    return true;
  }
  if (label.size() == 10 && label[7] == '-' && digits(label, {5, 6, 8, 9})) {  // 2026-04-12
    year_month_day v{year{y}, month{unsigned(num(label, 5, 2))}, day{unsigned(num(label, 8, 2))}};
    if (!v.ok()) return false;
    out = make(PeriodKind::daily, spec.timezone, *tz, day_of(v));
    return true;
  }
  return false;
}

Period month_period_of(int64_t unix_seconds) { return period_of(PeriodSpec{}, unix_seconds); }

bool parse_month_label(const std::string& label, Period& out) {
  // Exactly "YYYY-MM": sscanf alone would accept " 2026-4" or "2026-+4".
  if (label.size() != 7) return false;
  return parse_period_label(PeriodSpec{}, label, out);
}

std::string format_rfc3339_seconds(int64_t unix_seconds) {
  constexpr int64_t kMin = -62167219200, kMax = 253402300799;  // 0000-01-01T00:00:00Z, 9999-12-31T23:59:59Z
  return format_rfc3339(std::clamp(unix_seconds, kMin, kMax) * 1000000);
}

std::string format_rfc3339(int64_t unix_micros) {
  // Digit by digit: this runs for every decision event.
  sys_days d = floor<days>(sys_time<microseconds>{microseconds{unix_micros}});
  int64_t in_day = unix_micros - d.time_since_epoch().count() * 86400LL * 1000000LL;
  int64_t secs = in_day / 1000000, us = in_day % 1000000;
  year_month_day v{d};
  int year = int(v.year());
  if (year < 0 || year > 9999) {  // outside RFC 3339's four-digit years: keep the old, slower path
    char buf[64];
    std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld.%06lldZ", ymd(d.time_since_epoch().count()).c_str(),
                  (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60), (long long)us);
    return buf;
  }
  char buf[27];  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  auto put = [&](int at, int64_t value, int width) {
    for (int k = width - 1; k >= 0; --k, value /= 10) buf[at + k] = char('0' + value % 10);
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, unsigned(v.month()), 2);
  buf[7] = '-';
  put(8, unsigned(v.day()), 2);
  buf[10] = 'T';
  put(11, secs / 3600, 2);
  buf[13] = ':';
  put(14, secs / 60 % 60, 2);
  buf[16] = ':';
  put(17, secs % 60, 2);
  buf[19] = '.';
  put(20, us, 6);
  buf[26] = 'Z';
  return std::string(buf, sizeof buf);
}

namespace {
// Read once (getenv walks the whole environment, and the clock is read several times a request).
std::atomic<const char*> fake_clock_path{std::getenv("KT_FAKE_CLOCK_FILE")};
}  // namespace

void reread_fake_clock_setting() { fake_clock_path.store(std::getenv("KT_FAKE_CLOCK_FILE")); }

int64_t now_unix_micros() {
  // Test hook (integration tests only): the file holds the unix time in whole seconds and is
  // re-read at every call, so a test moves time by rewriting it. Unreadable → the real clock.
  const char* fake = fake_clock_path.load(std::memory_order_relaxed);
  if (fake && *fake) {
    std::ifstream in(fake);
    long long secs = 0;
    if (in >> secs) return int64_t(secs) * 1000000;
  }
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}
int64_t now_unix_seconds() { return floor_div(now_unix_micros(), 1000000); }

}  // namespace kt
