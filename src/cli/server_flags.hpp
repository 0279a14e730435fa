#pragma once
// The protocol-limit flags shared by `kt api serve` and `kt gateway run` (docs/operations.md "Limits").
#include <CLI/CLI.hpp>

#include "http/server.hpp"

namespace kt::cli {

// --body-limit, --max-header-bytes, --max-headers, --header-timeout, --body-timeout,
// --idle-timeout, --max-connections; each defaults to the value already in `limits`.
void add_server_limit_flags(CLI::App& command, http::ServerLimits& limits);

}  // namespace kt::cli
