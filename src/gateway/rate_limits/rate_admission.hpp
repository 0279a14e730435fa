#pragma once
// What a request took from its consumer group's rate limits (rate_limiter.hpp), to be corrected
// at its end: the token and spend shares were its estimate, the actual usage may be less.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kt::gateway {

enum class LimitKind { requests_per_minute, tokens_per_minute, tokens_per_day, max_spend_per_minute, max_spend_per_hour };
const char* limit_name(LimitKind k);

struct RateTake {
  size_t bucket = 0;      // index in the group's buckets
  int64_t slice_id = 0;   // the grant it came from
  int64_t amount = 0;
};

struct RateAdmission {
  // The scope's buckets (RateLimiter's), kept alive while the request is open: the limiter may
  // forget an idle or revoked scope meanwhile.
  std::shared_ptr<void> scope;
  std::vector<RateTake> takes;
};

}  // namespace kt::gateway
