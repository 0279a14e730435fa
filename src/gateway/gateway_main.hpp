#pragma once
#include <cstdint>
#include <string>

#include "http/server.hpp"

namespace kt::gateway {

struct GatewayOptions {
  std::string policy_config;
  std::string listen = "0.0.0.0:41002";
  size_t threads = 0;  // 0: one per core
  std::string spool_dir = ".kt/spool";
  http::ServerLimits limits;  // body limit 4 MiB (docs/operations.md "Limits")
};

// Loads the config, prints the startup lines, serves until SIGINT/SIGTERM. Returns the exit code.
int run_gateway(const GatewayOptions& options);

struct DrainOptions {
  std::string spool_dir;
  std::string policy_config;  // optional: api.url, its token_env and alert thresholds from it
  std::string api_url;        // else the config's, else KEEPTRUSTS_API_URL
  std::string token_env = "KEEPTRUSTS_API_TOKEN";
  int64_t timeout_seconds = 120;
};
// `kt gateway drain`: ships every ledger log in the spool that no live gateway holds (its requests
// in flight billed at their reservation, its leases returned), then deletes it. 0 when all were
// applied, 1 when some could not be shipped in time, 2 for bad options.
int drain_spool(const DrainOptions& options);

}  // namespace kt::gateway
