#include "cli/server_flags.hpp"

#include <cmath>

namespace kt::cli {
namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) : std::to_string(static_cast<double>(ms) / 1000.0);
}

// A duration given in seconds (fractions allowed: 0.5), kept in milliseconds.
void seconds_option(CLI::App& command, const std::string& name, std::chrono::milliseconds& target,
                    const std::string& help) {
  command
      .add_option_function<double>(
          name, [&target](double s) { target = std::chrono::milliseconds(std::llround(s * 1000.0)); }, help)
      ->check(CLI::Range(0.1, 86400.0))
      ->default_str(seconds_text(target));
}

}  // namespace

void add_server_limit_flags(CLI::App& command, http::ServerLimits& limits) {
  const std::string group = "Limits (README \"Limits\")";
  command.add_option("--body-limit", limits.body_limit, "largest request body (413 beyond), bytes or 4MiB, 16KiB")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t(1024), size_t(1) << 32))
      ->capture_default_str()
      ->group(group);
  command.add_option("--max-header-bytes", limits.header_bytes, "request line + headers (431 beyond)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t(1024), size_t(1) << 20))
      ->capture_default_str()
      ->group(group);
  command.add_option("--max-headers", limits.header_count, "header fields per request (431 beyond)")
      ->check(CLI::Range(size_t(8), size_t(10000)))
      ->capture_default_str()
      ->group(group);
  seconds_option(command, "--header-timeout", limits.header_timeout,
                 "seconds for a whole request head to arrive (then the connection is closed)");
  seconds_option(command, "--body-timeout", limits.body_timeout, "seconds for a whole request body to arrive");
  seconds_option(command, "--idle-timeout", limits.idle_timeout, "seconds a kept-alive connection waits for its next request");
  for (const char* name : {"--header-timeout", "--body-timeout", "--idle-timeout"}) command.get_option(name)->group(group);
  command.add_option("--max-connections", limits.max_connections,
                     "open connections per process; past it new ones get a 503 and are closed")
      ->check(CLI::Range(size_t(1), size_t(1'000'000)))
      ->capture_default_str()
      ->group(group);
}

}  // namespace kt::cli
