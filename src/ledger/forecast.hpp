#pragma once
// When a team's budget runs out at its recent pace (issue 12, "Forecast"). Pure: the store gives
// the spend history (SpendHistory), this decides the pace and the date. Money stays exact: rates
// and dates come from integer nano-dollars and seconds (128-bit products), never doubles.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ledger/store_types.hpp"

namespace kt::ledger {

// What a team spent (settles and direct charges) in the windows ending at `now`, and when its
// history begins (the first allocation; 0: none).
struct SpendHistory {
  int64_t first_at = 0;
  Money last_hour, last_day, last_7_days;
};

struct BurnWindow {
  const char* name = "";  // last_hour | last_day | last_7_days
  int64_t seconds = 0;
  Money spent;
  Money per_day = {};     // spent * 86400 / seconds, rounded down to the nano-dollar
  bool complete = false;  // the team's history covers the whole window
};

struct Forecast {
  int64_t as_of = 0;
  std::array<BurnWindow, 3> windows;  // hour, day, 7 days
  // The pace: the longest complete window; while the history is younger than an hour, the time
  // since the first allocation ("since_first_allocation"). Empty: no history at all.
  std::string pace;
  int64_t pace_seconds = 0;
  Money pace_spent, pace_per_day;
  Money left;                        // budget - spent - reserved (leased money is not spent yet)
  std::optional<int64_t> exhausts_at;  // unix seconds; unset: no spend at that pace
  int64_t period_end = 0;            // INT64_MAX for a prepaid wallet (kind none)
  bool before_period_end = false;    // exhausts_at < period_end
};

Forecast make_forecast(const Balance& b, const SpendHistory& h, int64_t now);

// "At the last 7 days' pace the budget runs out on 2026-12-19 (12 days before the period ends)",
// or that it lasts the period, or that there is no spend yet. Dates in UTC.
std::string forecast_sentence(const Forecast& f);

}  // namespace kt::ledger
