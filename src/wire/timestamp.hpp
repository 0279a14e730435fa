#pragma once
// Timestamps as the API accepts them: unix seconds ("1767225600") or RFC 3339
// ("2026-01-01T00:00:00Z", fractions and numeric offsets allowed; fractions are truncated).
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace kt::wire {

// Unix seconds; nullopt when the text is neither form (or out of range: years 1970-9999).
std::optional<int64_t> parse_timestamp(std::string_view text);

// The 400 for a field or parameter `name` that parse_timestamp refused.
ApiError bad_timestamp(std::string_view name);

// A positive duration: digits and a unit, s, m, h or d ("90s", "15m", "1h", "30d"), at most 10
// years; nullopt for anything else.
std::optional<int64_t> parse_duration_seconds(std::string_view text);

}  // namespace kt::wire
