#pragma once
#include <string>

#include "http/server.hpp"

namespace kt::gateway {

struct GatewayOptions {
  std::string policy_config;
  std::string listen = "0.0.0.0:41002";
  size_t threads = 0;  // 0: one per core
  std::string spool_dir = ".kt/spool";
  http::ServerLimits limits;  // body limit 4 MiB (README "Limits")
};

// Loads the config, prints the startup lines, serves until SIGINT/SIGTERM. Returns the exit code.
int run_gateway(const GatewayOptions& options);

}  // namespace kt::gateway
