#pragma once
// Rate-limit allowance grants (docs/traffic.md "Rate limits and the spend-rate breaker"): the API keeps a
// sliding-window ledger per scope ("<group>/<limit>"); a gateway worker is granted a slice of
// what the window has left and spends it in-process. A grant counts against its scope's window
// from the moment it is made until the window has passed; what a gateway did not use it returns
// (the grant's amount is lowered to what was used). Units are the limit's: requests, tokens or nano-dollars.
#include <cstdint>
#include <string>

namespace kt::ledger {

struct RateGrantAsk {
  std::string scope;       // "research/requests_per_minute"
  std::string holder;      // the gateway worker (for the operator's eyes)
  int64_t limit = 0;       // the most the window may hold (from the gateway's config)
  int64_t window_ms = 0;   // the window, widened by how long a gateway may use a grant
  int64_t want = 0;        // the slice asked for
  int64_t need = 0;        // at least this much, or nothing (one request's share)
};

struct RateGrant {
  int64_t id = 0;           // 0: nothing granted
  int64_t granted = 0;
  int64_t remaining = 0;    // what the window still had after this grant
  int64_t retry_after_ms = 0;  // refused: when enough leaves the window for `need` (never: the window)
  int64_t reset_ms = 0;     // when the window is empty again (x-ratelimit-reset-*)
};

// A grant's final use: its amount becomes at most `used` (idempotent, so a return re-sent after
// a lost answer changes nothing twice).
struct RateReturn {
  int64_t id = 0;
  int64_t used = 0;
};

}  // namespace kt::ledger
