#pragma once
// Ledger rules every store applies the same way, whatever its SQL: op validation, the block
// threshold test, and how refused reservations are named in the reservations table.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/store_types.hpp"

namespace kt::ledger {

// A row of the reservations table, as both stores read it.
struct Reservation {
  std::string team_id;
  int64_t period_start = 0;
  Money amount;
  std::string state, refusal;
  std::string key_id;             // the consumer key's budget it also holds (empty: none)
  int64_t key_period_start = 0;
};

// Throws StoreError for a price no store may keep (no model, a negative price, max_output_tokens <= 0).
void validate_pricing(const PricingInput& in);
constexpr int64_t kMaxLeaseTtlSeconds = 3600;
// A lease takes at most this fraction (1/N) of a wallet's remaining budget, unless the request
// waiting for it needs more.
constexpr int64_t kLeaseShareDivisor = 4;

// Throws StoreError for an op no store may apply (empty key, negative amount).
void validate_op(const LedgerOp& op);
// How much of `remaining` to lease to a gateway that wants `want` for a request of `min`:
// zero (refuse) when even `min` does not fit; never more than remaining.
Money lease_grant(Money remaining, Money want, Money min);
// The alert thresholds (percent) a wallet's spend has reached: positive, sorted, without
// duplicates; none when the budget is zero. Each store then records them once per period.
std::vector<int> thresholds_reached(Money spent, Money budget, const std::vector<int>& thresholds);
// spent * 100 >= budget * percent, without int64 overflow.
bool at_or_past_percent(Money spent, Money budget, int percent);
// The stored name of a refusal ("insufficient", "blocked", "no_wallet"); nullptr for reserved.
// The start of a consumer key's budget period at `now`: the calendar month (UTC) for "monthly",
// 0 for "none" (one period forever).
int64_t key_period_start(const std::string& budget_period, int64_t now);
const char* refusal_name(ReserveStatus s);
ReserveStatus refusal_status(std::string_view stored_name);

}  // namespace kt::ledger
