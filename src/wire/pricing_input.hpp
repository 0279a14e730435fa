#pragma once
// The body of POST /v1/model-pricing read into a PricingInput: what the API accepts as a price.
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "ledger/store.hpp"

namespace kt::wire {

// Unknown fields are refused (a typo such as "input_cost_per_1k_token" never prices at 0); money
// is parsed exactly and never negative; max_output_tokens is positive and below 2^31; currency is USD;
// effective_from is unix seconds or RFC 3339. On a refusal sets `error` (a 400) and returns nullopt.
std::optional<ledger::PricingInput> decode_pricing_input(std::string_view body, ApiError& error);

}  // namespace kt::wire
