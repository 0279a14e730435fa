#pragma once
#include <cstdint>
#include <string_view>

namespace kt::gateway {
// The most output tokens a model can produce in one answer: the reservation's worst case when a
// request sets no max_tokens. Prices can override it (model-pricing max_output_tokens).
int64_t default_max_output_tokens(std::string_view model);
}  // namespace kt::gateway
