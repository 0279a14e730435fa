#pragma once
#include <string>
#include <string_view>

namespace kt {
// Random, unique request/event ids: "req_" + 24 hex chars from a per-thread CSPRNG-seeded engine.
std::string new_id(std::string_view prefix);
// Constant-time comparison for secrets (admin token, consumer keys).
bool constant_time_equal(std::string_view a, std::string_view b);
}  // namespace kt
