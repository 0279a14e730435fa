#pragma once
// Budget-aware max_tokens (cost_tracking.on_insufficient: clamp): how much output a wallet can
// still pay for, and the surgical body edits that ask the upstream for no more than that.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/money.hpp"

namespace kt::gateway {

// Below this many output tokens a clamped answer is not worth sending: the request is refused.
inline constexpr int64_t kMinClampedOutputTokens = 16;

// The largest output tokens per choice whose worst case, priced exactly as the reservation is
// (cost_of_terms rounding up once), fits in `remaining`. 0 when not even the prompt fits;
// INT64_MAX when output is free.
int64_t largest_affordable_output(Money remaining, int64_t prompt_tokens, Money input_per_1k, Money output_per_1k,
                                  int64_t choices);

// The body with its top-level max_tokens and max_completion_tokens (those present) set to n; when
// neither is present, "max_tokens" is added. Only those bytes change. nullopt for a body that is not
// a JSON object.
std::optional<std::string> body_with_max_tokens(const std::string& body, int64_t n);

// The body with the top-level integer field `key` set to n (added when absent): the output cap of
// routes with a single one (completions and messages: max_tokens; responses: max_output_tokens).
std::optional<std::string> body_with_int_field(const std::string& body, std::string_view key, int64_t n);

// The body with the top-level string field `key` set to `value` (added when absent).
std::optional<std::string> body_with_string_field(const std::string& body, std::string_view key, std::string_view value);

}  // namespace kt::gateway
