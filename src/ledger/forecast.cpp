#include "ledger/forecast.hpp"

#include <limits>

#include "core/period.hpp"

namespace kt::ledger {
namespace {

constexpr int64_t kDay = 86400;

Money per_day(Money spent, int64_t seconds) {
  if (seconds <= 0) return Money::zero();
  __int128 v = __int128(spent.nanos()) * kDay / seconds;
  if (v > std::numeric_limits<int64_t>::max()) v = std::numeric_limits<int64_t>::max();
  return Money::from_nanos(int64_t(v));
}

std::string utc_date(int64_t unix_seconds) { return format_rfc3339_seconds(unix_seconds).substr(0, 10); }

std::string span_text(int64_t seconds) {
  auto n = [](int64_t v, const char* unit) { return std::to_string(v) + " " + unit + (v == 1 ? "" : "s"); };
  if (seconds >= kDay) return n(seconds / kDay, "day");
  if (seconds >= 3600) return n(seconds / 3600, "hour");
  return n(seconds / 60, "minute");
}

}  // namespace

Forecast make_forecast(const Balance& b, const SpendHistory& h, int64_t now) {
  Forecast f;
  f.as_of = now;
  f.period_end = b.period.end;
  f.left = b.budget - b.spent - b.reserved;
  const int64_t age = h.first_at > 0 ? now - h.first_at : -1;
  f.windows = {BurnWindow{"last_hour", 3600, h.last_hour}, BurnWindow{"last_day", kDay, h.last_day},
               BurnWindow{"last_7_days", 7 * kDay, h.last_7_days}};
  for (auto& w : f.windows) {
    w.per_day = per_day(w.spent, w.seconds);
    w.complete = age >= w.seconds;
  }
  for (const auto& w : f.windows)
    if (w.complete) {
      f.pace = w.name;
      f.pace_seconds = w.seconds;
      f.pace_spent = w.spent;
    }
  if (f.pace.empty() && age > 0) {  // a history younger than an hour: all of it is in the hour's window
    f.pace = "since_first_allocation";
    f.pace_seconds = age;
    f.pace_spent = h.last_hour;
  }
  if (f.pace.empty()) return f;
  f.pace_per_day = per_day(f.pace_spent, f.pace_seconds);
  if (f.pace_spent <= Money::zero()) return f;
  if (f.left <= Money::zero()) {
    f.exhausts_at = now;
  } else {
    // left / (spent / seconds), rounded down: the last whole second the budget still lasts.
    __int128 secs = __int128(f.left.nanos()) * f.pace_seconds / f.pace_spent.nanos();
    const __int128 room = __int128(std::numeric_limits<int64_t>::max()) - now;
    f.exhausts_at = int64_t(secs < room ? now + secs : std::numeric_limits<int64_t>::max());
  }
  f.before_period_end = *f.exhausts_at < f.period_end;
  return f;
}

std::string forecast_sentence(const Forecast& f) {
  if (f.pace.empty()) return "No forecast: the team has no spend history.";
  std::string pace = f.pace == "last_7_days" ? "At the last 7 days' pace"
                     : f.pace == "last_day"  ? "At the last day's pace"
                     : f.pace == "last_hour" ? "At the last hour's pace"
                                             : "At the pace since the first allocation";
  if (!f.exhausts_at) {
    const char* when = f.pace == "since_first_allocation" ? "yet" : f.pace == "last_7_days" ? "in the last 7 days"
                       : f.pace == "last_day" ? "in the last day" : "in the last hour";
    return std::string("No spend ") + when + ": no forecast.";
  }
  if (f.left <= Money::zero()) return "The budget is used up.";
  if (!f.before_period_end) {
    if (f.period_end == std::numeric_limits<int64_t>::max())
      return pace + " the budget runs out on " + utc_date(*f.exhausts_at) + ".";
    return pace + " the budget lasts the period (it would run out on " + utc_date(*f.exhausts_at) + ").";
  }
  return pace + " the budget runs out on " + utc_date(*f.exhausts_at) + " (" +
         span_text(f.period_end - *f.exhausts_at) + " before the period ends)";
}

}  // namespace kt::ledger
