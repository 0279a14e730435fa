#pragma once
// Builds the immutable shared state from a loaded config: keys, policies, targets, API link
// (the start-up calls to the API: api_bootstrap.hpp).
#include <string>

#include "gateway/gateway_shared.hpp"

namespace kt::gateway {

// Throws std::runtime_error with a one-line reason when the config cannot be served.
GatewayShared build_shared(std::shared_ptr<const config::GatewayConfig> cfg, const std::string& spool_dir);
// The three startup lines of the tutorial's Step 4 (minus "Gateway ready").
void log_startup(const GatewayShared& shared);

}  // namespace kt::gateway
