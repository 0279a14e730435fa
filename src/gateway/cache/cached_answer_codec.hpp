#pragma once
// What both cache backends share (docs/traffic.md "Response cache"): the answer's framing for a
// store outside the process, whether a stored answer is fresh for a request, and the size cap.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/cache/response_cache.hpp"

namespace kt::gateway {

// Answers larger than this (framed) are not stored: one huge answer must not evict thousands of
// small ones, and a Redis value this big would hold the worker's link for too long.
inline constexpr size_t kMaxCachedAnswerBytes = 1 << 20;

// A stored answer is served when younger than the TTL and, when the client sent
// Cache-Control: max-age=N, no older than N seconds.
bool fresh_enough(const CachedAnswer& a, int64_t now_s, int64_t ttl_s, std::optional<int64_t> max_age);

// Binary framing: "KTC1", then stream (1 byte), status (u32), cost nanos (i64), stored_at (i64),
// then content type, request id and body, each a u32 length and its bytes; little-endian.
std::string encode_cached_answer(const CachedAnswer& a);
// nullopt for anything that is not exactly such a frame (another version, cut or padded).
std::optional<CachedAnswer> decode_cached_answer(std::string_view frame);

}  // namespace kt::gateway
