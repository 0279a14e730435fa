#pragma once
#include <cstdint>
#include <string>

#include "http/server.hpp"

namespace kt::api {

struct ApiContext;

struct ApiOptions {
  std::string listen = "127.0.0.1:8080";
  std::string database = "sqlite:keeptrusts.db";
  std::string token_env = "KEEPTRUSTS_API_TOKEN";
  size_t threads = 2;
  // PostgreSQL: connections the store thread drives concurrently (SQLite always uses one).
  size_t database_connections = 4;
  // A reservation held longer than this is returned to its wallet (its gateway is gone).
  int64_t reservation_ttl_seconds = 900;
};

// Opens the store (migrating it), serves the API until SIGINT/SIGTERM. Returns the exit code.
int run_api_server(const ApiOptions& options);

// The API's routes, admin-token check included, as one HTTP handler over `ctx`: what
// run_api_server serves, and what the HTTP fuzzer (tests/fuzz) drives in-process.
http::Handler api_handler(ApiContext& ctx);

}  // namespace kt::api
