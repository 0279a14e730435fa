#pragma once
#include <cstdint>
#include <string_view>

namespace kt::gateway {
// The most output tokens a model can produce in one answer: the reservation's worst case when a
// request sets no max_tokens. Prices can override it (model-pricing max_output_tokens).
int64_t default_max_output_tokens(std::string_view model);

// Requests past these are refused (400 n_too_large / max_tokens_too_large) before anything is
// priced: no model answers them, and they would push max_tokens x n x price toward int64's end.
inline constexpr int64_t kMaxChoices = 128;
inline constexpr int64_t kMaxRequestTokens = (int64_t{1} << 31) - 1;
// The largest max_tokens accepted for `model`: 1,000 x its output cap, and never above 2^31 - 1.
int64_t max_output_tokens_limit(std::string_view model);
}  // namespace kt::gateway
