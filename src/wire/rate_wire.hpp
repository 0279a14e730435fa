#pragma once
// POST /v1/gateway/rate-grants (ledger/rate_grants.hpp), both directions:
//   ask:    {"grants":[{"scope","holder","limit","window_ms","want","need"}], "returns":[{"id","used"}]}
//   answer: {"grants":[{"id","granted","remaining","retry_after_ms","reset_ms"}]} (in the asks' order)
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ledger/rate_grants.hpp"

namespace kt::wire {

struct RateGrantBatch {
  std::vector<ledger::RateGrantAsk> grants;
  std::vector<ledger::RateReturn> returns;
};

std::string encode_rate_batch(const RateGrantBatch& b);
std::optional<RateGrantBatch> decode_rate_batch(const std::string& body, ApiError& err);
std::string encode_rate_grants(const std::vector<ledger::RateGrant>& grants);
std::optional<std::vector<ledger::RateGrant>> decode_rate_grants(const std::string& body);

}  // namespace kt::wire
