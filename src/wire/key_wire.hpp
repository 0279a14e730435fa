#pragma once
// POST /v1/gateway/keys: a gateway's sync of the API-managed consumer keys, both directions:
//   ask:    {"used":[{"id","last_used_at"}]}  (the keys it saw used since its last sync, unix seconds)
//   answer: {"keys":[{"id","group","key_hash","expires_at","rate_limits"?}]}  (every key live now;
//           never a key; rate_limits only for a key with its own: {"requests_per_minute",...})
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "ledger/store_types.hpp"

namespace kt::wire {

std::string encode_key_uses(const std::vector<ledger::TokenUse>& uses);
std::optional<std::vector<ledger::TokenUse>> decode_key_uses(const std::string& body, ApiError& err);
// {"requests_per_minute"?, "tokens_per_minute"?, "tokens_per_day"?}: the limits a key has.
void write_key_rate_limits(JsonWriter& w, const ledger::KeyRateLimits& r);
// Only the id, group, hash, expiry and own rate limits of each row travel.
std::string encode_live_keys(const std::vector<ledger::ConsumerKeyRow>& keys);
std::optional<std::vector<ledger::ConsumerKeyRow>> decode_live_keys(const std::string& body);

}  // namespace kt::wire
