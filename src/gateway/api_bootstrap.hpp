#pragma once
// The gateway's start-up calls to the API (api_bootstrap.cpp).
#include <vector>

#include "gateway/gateway_shared.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

// Registers consumer groups (name -> wallet team, never the key) and fetches the price book.
// Best effort at start: a failure is logged and the gateway retries in the background.
std::vector<ledger::PricingRow> register_with_api(const GatewayShared& shared);

}  // namespace kt::gateway
