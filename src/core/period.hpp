#pragma once
// Budget periods: calendar months (the default), ISO weeks, days, or none (one endless period:
// a prepaid wallet), with boundaries at local midnight in the wallet's time zone (default UTC).
#include <cstdint>
#include <string>
#include <string_view>

namespace kt {

enum class PeriodKind { monthly, weekly, daily, none };

// "monthly" | "weekly" | "daily" | "none"
const char* period_kind_name(PeriodKind kind);
bool parse_period_kind(std::string_view text, PeriodKind& out);

// How a wallet cuts time into periods.
struct PeriodSpec {
  PeriodKind kind = PeriodKind::monthly;
  std::string timezone = "UTC";  // "UTC", an IANA name ("Europe/Paris") or an offset ("+05:30")
  bool operator==(const PeriodSpec&) const = default;
};

struct Period {
  int64_t start = 0;  // unix seconds, inclusive
  int64_t end = 0;    // unix seconds, exclusive (INT64_MAX for kind none)
  std::string label;  // "2026-04" | "2026-W15" | "2026-04-12" | "all"
  PeriodKind kind = PeriodKind::monthly;
  std::string timezone = "UTC";
  // Local dates of the first and last day (inclusive) for display: "2026-04-01", "2026-04-30";
  // empty for kind none.
  std::string first_date, last_date;
  std::string first_day() const;
  std::string last_day() const;
  PeriodSpec spec() const { return {kind, timezone}; }
};

// True when `timezone` names a zone this machine knows (see core/timezone.hpp).
bool valid_timezone(const std::string& timezone, std::string* error = nullptr);

// The period containing `unix_seconds`. Throws std::invalid_argument for an unknown zone.
Period period_of(const PeriodSpec& spec, int64_t unix_seconds);
// Parses a label of any kind, its shape deciding the kind ("2026-04" monthly, "2026-W15"
// weekly, "2026-04-12" daily, "all" none), in the spec's time zone; false when malformed
// (or the zone is unknown).
bool parse_period_label(const PeriodSpec& spec, const std::string& label, Period& out);

// UTC calendar months (the default spec).
Period month_period_of(int64_t unix_seconds);
// Parses "2026-04" as a UTC month; false when malformed.
bool parse_month_label(const std::string& label, Period& out);
// RFC 3339 UTC with microseconds: 2026-04-12T09:30:00.123456Z
std::string format_rfc3339(int64_t unix_micros);
// The same for unix seconds, saturated to RFC 3339's years 0000-9999: a stored or wire value out of
// range prints as the first or last second of that range instead of overflowing.
std::string format_rfc3339_seconds(int64_t unix_seconds);
// The wall clock. Test hook: when KT_FAKE_CLOCK_FILE is set, every call reads the unix time
// (integer seconds) from that file instead, so integration tests can move time. The variable is
// read at start-up; a test that sets it in-process calls reread_fake_clock_setting().
int64_t now_unix_micros();
int64_t now_unix_seconds();
void reread_fake_clock_setting();

}  // namespace kt
