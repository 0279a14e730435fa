#include "ledger/pricing_rules.hpp"

namespace kt::ledger {

bool same_price(const PricingInput& a, const PricingInput& b) {
  return a.provider == b.provider && a.input_per_1k == b.input_per_1k && a.output_per_1k == b.output_per_1k &&
         a.cached_input_per_1k == b.cached_input_per_1k && a.max_output_tokens == b.max_output_tokens &&
         a.cache_creation_per_1k == b.cache_creation_per_1k;
}

PricingChange classify_pricing_change(const PricingInput& in, const std::optional<PricingRow>& latest,
                                      std::optional<int64_t> max_effective_from, int64_t now) {
  const int64_t from = in.effective_from.value_or(now);
  if (!latest) return PricingChange::new_version;
  const int64_t latest_from = max_effective_from.value_or(latest->effective_from.value_or(0));
  // Re-posting the price already in force by `from` (and not followed by another scheduled
  // one) is not a change: the version only moves when the price does.
  if (same_price(*latest, in) && latest->effective_from.value_or(0) == latest_from && latest_from <= from)
    return PricingChange::unchanged;
  if (from < now && from < latest_from)
    throw PricingConflict("effective_from " + std::to_string(from) + " is in the past and earlier than the latest "
                          "version's effective_from " + std::to_string(latest_from) +
                          ": prices already in force cannot be rewritten");
  return PricingChange::new_version;
}

}  // namespace kt::ledger
