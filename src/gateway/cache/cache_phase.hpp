#pragma once
// What the response cache phase (phase 6 in phases.hpp: after parse, policies and idempotency,
// before price and limits; docs/traffic.md "Response cache") leaves for the answer's end. A hit is answered
// there: nothing priced, limited, reserved or forwarded, cost $0, and its decision event records
// `cache: hit` and `cost_saved`.
#include <optional>
#include <string>

#include "gateway/pipeline/attempt_writer.hpp"
#include "gateway/cache/response_cache.hpp"

namespace kt::gateway {

// What the phase decided for a request that was not a hit.
struct CacheTicket {
  std::string key;     // set when the answer may be stored
  bool active() const { return !key.empty(); }
};

}  // namespace kt::gateway
