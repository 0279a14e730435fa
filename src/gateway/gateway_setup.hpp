#pragma once
// Builds the immutable shared state from a loaded config: keys, policies, targets, API link.
#include <string>

#include "gateway/gateway_shared.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

// Throws std::runtime_error with a one-line reason when the config cannot be served.
GatewayShared build_shared(std::shared_ptr<const config::GatewayConfig> cfg, const std::string& spool_dir);
// The three startup lines of the tutorial's Step 4 (minus "Gateway ready").
void log_startup(const GatewayShared& shared);
// Registers consumer groups (name -> wallet team, never the key) and fetches the price book.
// Best effort at start: a failure is logged and the gateway retries in the background.
std::vector<ledger::PricingRow> register_with_api(const GatewayShared& shared);

}  // namespace kt::gateway
