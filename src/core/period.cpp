#include "core/period.hpp"

#include <chrono>
#include <cstdio>

namespace kt {
namespace {

using namespace std::chrono;

std::string ymd(sys_days d) {
  year_month_day v{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(v.year()), unsigned(v.month()), unsigned(v.day()));
  return buf;
}

Period make(year_month ym) {
  sys_days first{ym / 1};
  sys_days next{(ym + months{1}) / 1};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", int(ym.year()), unsigned(ym.month()));
  return Period{first.time_since_epoch().count() * 86400, next.time_since_epoch().count() * 86400, buf};
}

}  // namespace

std::string Period::first_day() const { return ymd(sys_days{days{start / 86400}}); }
std::string Period::last_day() const { return ymd(sys_days{days{end / 86400 - 1}}); }

Period month_period_of(int64_t unix_seconds) {
  sys_days d = floor<days>(sys_seconds{seconds{unix_seconds}});
  year_month_day v{d};
  return make(v.year() / v.month());
}

bool parse_month_label(const std::string& label, Period& out) {
  // Exactly "YYYY-MM": sscanf alone would accept " 2026-4" or "2026-+4".
  if (label.size() != 7 || label[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6})
    if (label[i] < '0' || label[i] > '9') return false;
  int y = (label[0] - '0') * 1000 + (label[1] - '0') * 100 + (label[2] - '0') * 10 + (label[3] - '0');
  unsigned m = unsigned((label[5] - '0') * 10 + (label[6] - '0'));
  if (y < 1970 || m < 1 || m > 12) return false;
  out = make(year{y} / month{m});
  return true;
}

std::string format_rfc3339(int64_t unix_micros) {
  sys_days d = floor<days>(sys_time<microseconds>{microseconds{unix_micros}});
  int64_t in_day = unix_micros - d.time_since_epoch().count() * 86400LL * 1000000LL;
  int64_t secs = in_day / 1000000, us = in_day % 1000000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld.%06lldZ", ymd(d).c_str(), (long long)(secs / 3600),
                (long long)(secs / 60 % 60), (long long)(secs % 60), (long long)us);
  return buf;
}

int64_t now_unix_micros() {
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}
int64_t now_unix_seconds() { return now_unix_micros() / 1000000; }

}  // namespace kt
