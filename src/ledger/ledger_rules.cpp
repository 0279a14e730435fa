#include "ledger/ledger_rules.hpp"

#include <algorithm>

#include "core/period.hpp"

namespace kt::ledger {

void validate_pricing(const PricingInput& in) {
  if (in.model.empty()) throw StoreError("model pricing needs a model name");
  if (in.input_per_1k.is_negative() || in.output_per_1k.is_negative() ||
      (in.cached_input_per_1k && in.cached_input_per_1k->is_negative()) ||
      (in.cache_creation_per_1k && in.cache_creation_per_1k->is_negative()))
    throw StoreError("model pricing cannot be negative");
  if (in.max_output_tokens && *in.max_output_tokens <= 0) throw StoreError("max_output_tokens must be positive");
}

void validate_op(const LedgerOp& op) {
  switch (op.kind) {
    case LedgerOp::Kind::reserve:
      if (op.reserve.key.empty()) throw StoreError("reserve needs an idempotency key");
      if (op.reserve.amount.is_negative()) throw StoreError("reserve amount cannot be negative");
      break;
    case LedgerOp::Kind::settle:
      if (op.settle.key.empty()) throw StoreError("settle needs an idempotency key");
      if (op.settle.actual.is_negative()) throw StoreError("settle amount cannot be negative");
      break;
    case LedgerOp::Kind::release:
      if (op.release.key.empty()) throw StoreError("release needs an idempotency key");
      break;
    case LedgerOp::Kind::lease_acquire: {
      const auto& a = op.lease_acquire;
      if (a.lease_id.empty() || a.team_id.empty()) throw StoreError("lease_acquire needs a lease_id and a team_id");
      if (a.want.is_negative() || a.min.is_negative()) throw StoreError("lease amounts cannot be negative");
      if (a.ttl_seconds <= 0 || a.ttl_seconds > kMaxLeaseTtlSeconds)
        throw StoreError("lease ttl_seconds must be between 1 and " + std::to_string(kMaxLeaseTtlSeconds));
      break;
    }
    case LedgerOp::Kind::lease_renew:
      if (op.lease_renew.lease_id.empty()) throw StoreError("lease_renew needs a lease_id");
      if (op.lease_renew.ttl_seconds <= 0 || op.lease_renew.ttl_seconds > kMaxLeaseTtlSeconds)
        throw StoreError("lease ttl_seconds must be between 1 and " + std::to_string(kMaxLeaseTtlSeconds));
      break;
    case LedgerOp::Kind::lease_return:
      if (op.lease_return.lease_id.empty()) throw StoreError("lease_return needs a lease_id");
      break;
  }
}

const std::string& LedgerOp::team_id() const {
  switch (kind) {
    case Kind::reserve: return reserve.team_id;
    case Kind::settle: return settle.team_id;
    case Kind::release: return release.team_id;
    case Kind::lease_acquire: return lease_acquire.team_id;
    case Kind::lease_renew: return lease_renew.team_id;
    case Kind::lease_return: return lease_return.team_id;
  }
  return reserve.team_id;
}

Money lease_grant(Money remaining, Money want, Money min) {
  if (remaining < min || remaining.nanos() <= 0) return Money::zero();
  // A fair share of what is left, so that one gateway cannot hold the whole remainder while
  // others starve; near exhaustion the share falls below one request and the grant becomes
  // exactly that request's estimate.
  Money share = Money::from_nanos(remaining.nanos() / kLeaseShareDivisor);
  Money grant = std::max(min, std::min(want, share));
  grant = std::min(grant, remaining);
  if (grant.is_zero()) grant = std::min(remaining, Money::from_nanos(1));  // a free request still needs a lease
  return grant;
}

bool at_or_past_percent(Money spent, Money budget, int percent) {
  using i128 = __int128;
  return i128(spent.nanos()) * 100 >= i128(budget.nanos()) * percent;
}

std::vector<int> thresholds_reached(Money spent, Money budget, const std::vector<int>& thresholds) {
  std::vector<int> out;
  if (budget.nanos() <= 0) return out;
  for (int t : thresholds)
    if (t > 0 && at_or_past_percent(spent, budget, t)) out.push_back(t);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int64_t key_period_start(const std::string& budget_period, int64_t now) {
  return budget_period == "monthly" ? month_period_of(now).start : 0;
}

const char* refusal_name(ReserveStatus s) {
  switch (s) {
    case ReserveStatus::insufficient: return "insufficient";
    case ReserveStatus::blocked: return "blocked";
    case ReserveStatus::no_wallet: return "no_wallet";
    case ReserveStatus::key_budget: return "insufficient";  // the reservation's key_id says whose
    case ReserveStatus::reserved: break;
  }
  return nullptr;
}

ReserveStatus refusal_status(std::string_view s) {
  if (s == "blocked") return ReserveStatus::blocked;
  if (s == "no_wallet") return ReserveStatus::no_wallet;
  return ReserveStatus::insufficient;
}

}  // namespace kt::ledger
