#pragma once
// The unit sanity check for a price entered per 1K tokens: warns when it looks like a per-token
// or a per-1M price typed into a per-1K field. Header-only so the config lint (which does not link
// the ledger) and the API share it.
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"

namespace kt {

// Thresholds, per 1K tokens. The dearest list prices today are around $0.075 per 1K input and
// $0.6 per 1K output (o1-pro class models); above $1 per 1K ($1,000 per 1M tokens) is beyond any
// published model and exactly what a per-1M price ($1.00-$75.00) looks like when typed into a
// per-1K field. At the other end the cheapest published prices are about $0.01-$0.02 per 1M
// tokens ($0.00001-$0.00002 per 1K, small embedding models); below $0.00001 per 1K is what a
// per-token price looks like in a per-1K field (gpt-4o-mini: $0.00000015 per token). Zero stays
// legal: free models and local upstreams.
inline const Money kLooksPer1M = Money::from_nanos(1'000'000'000);  // $1 per 1K
inline const Money kLooksPerToken = Money::from_nanos(10'000);      // $0.00001 per 1K

// Appends a warning about `price` (named `name` in the message) when its unit looks wrong.
inline void check_price_unit(const char* name, Money price, std::vector<std::string>& out) {
  if (price > kLooksPer1M)
    out.push_back(std::string(name) + " " + price.to_decimal() +
                  " per 1K tokens is more than $1000 per 1M tokens: it looks like a per-1M price");
  else if (price > Money::zero() && price < kLooksPerToken)
    out.push_back(std::string(name) + " " + price.to_decimal() +
                  " per 1K tokens is less than $0.01 per 1M tokens: it looks like a per-token price");
}

inline std::vector<std::string> pricing_unit_warnings(Money input_per_1k, Money output_per_1k,
                                                      std::optional<Money> cached_input_per_1k = std::nullopt) {
  std::vector<std::string> out;
  check_price_unit("input_cost_per_1k_tokens", input_per_1k, out);
  check_price_unit("output_cost_per_1k_tokens", output_per_1k, out);
  if (cached_input_per_1k) check_price_unit("cached_input_cost_per_1k_tokens", *cached_input_per_1k, out);
  return out;
}

}  // namespace kt
