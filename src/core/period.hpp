#pragma once
// Budget periods. Calendar months in UTC (issue 4 adds weekly/daily/none and time zones).
#include <cstdint>
#include <string>

namespace kt {

struct Period {
  int64_t start = 0;  // unix seconds, inclusive
  int64_t end = 0;    // unix seconds, exclusive
  std::string label;  // "2026-04"
  // "2026-04-01" and "2026-04-30" (the last day, inclusive) for display.
  std::string first_day() const;
  std::string last_day() const;
};

Period month_period_of(int64_t unix_seconds);
// Parses "2026-04"; false when malformed.
bool parse_month_label(const std::string& label, Period& out);
// RFC 3339 UTC with microseconds: 2026-04-12T09:30:00.123456Z
std::string format_rfc3339(int64_t unix_micros);
int64_t now_unix_micros();
int64_t now_unix_seconds();

}  // namespace kt
