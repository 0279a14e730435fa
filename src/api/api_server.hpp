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
  // A lease named by an open gateway log is kept this long past its expiry before its room goes
  // back: a killed gateway's settles arrive when it restarts (or `kt gateway drain` runs).
  int64_t lease_grace_seconds = 900;
  // Events older than this many days are deleted in the background (0: kept forever).
  int64_t event_retention_days = 90;
  // The store thread's nice value (StoreExecutor::set_nice). 0 by default: at 19 the ledger
  // starves behind any busy process on the host (postgres_leases_test beside four CPU hogs: 84 of
  // 1,000 answered). 19 suits only cores shared with kt's gateways alone, where a lone client's
  // request then preempts a batch apply (bench p90 695-782 -> 229-245 us; docs/operations.md).
  int store_nice = 0;
  // The dashboard's files (docs/operations.md "Dashboard"); empty: default_ui_dir().
  std::string ui_dir;
  // Protocol limits (docs/operations.md "Limits"); event batches can be large, hence 16 MiB.
  http::ServerLimits limits{.body_limit = 16 * 1024 * 1024};
};

// Opens the store (migrating it), serves the API until SIGINT/SIGTERM. Returns the exit code.
int run_api_server(const ApiOptions& options);

// The API's routes over `ctx` (the handler and its head hook, token checks included): what
// run_api_server serves, and what the HTTP fuzzer (tests/fuzz) drives in-process.
http::Routes api_routes(ApiContext& ctx);

}  // namespace kt::api
