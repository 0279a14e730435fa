#pragma once
#include <string>
#include <string_view>

namespace kt {
// Unique request/event ids: prefix + 24 hex chars, 13 of the time in microseconds then 11 random
// (a per-thread engine seeded from the OS). Ids made later sort later, so the ledger's unique
// indexes on them take inserts at their right edge instead of on random pages.
std::string new_id(std::string_view prefix);
// Constant-time comparison for secrets (admin token, consumer keys).
bool constant_time_equal(std::string_view a, std::string_view b);
}  // namespace kt
