#include "ledger/ledger_rules.hpp"

#include <algorithm>

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
  }
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

const char* refusal_name(ReserveStatus s) {
  switch (s) {
    case ReserveStatus::insufficient: return "insufficient";
    case ReserveStatus::blocked: return "blocked";
    case ReserveStatus::no_wallet: return "no_wallet";
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
