#pragma once
// The price book's rules, the same for every store: which effective_from an upsert may use,
// when an upsert changes nothing (the unit sanity check is in price_sanity.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "ledger/store_types.hpp"

namespace kt::ledger {

bool same_price(const PricingInput& a, const PricingInput& b);

enum class PricingChange { unchanged, new_version };

// Decides an upsert of `in` at `now`, given the model's latest version (highest number; none for
// a new model) and the greatest effective_from among its versions. Throws PricingConflict when
// the requested effective_from is in the past and earlier than that greatest effective_from: the
// prices already in force then are history and stay as they were. A future effective_from is
// always allowed (nothing has been priced with it yet).
PricingChange classify_pricing_change(const PricingInput& in, const std::optional<PricingRow>& latest,
                                      std::optional<int64_t> max_effective_from, int64_t now);

}  // namespace kt::ledger
