// `kt gateway drain`: ships the ledger logs a dead gateway left in a spool folder (see
// ledger_log/log_recovery.hpp) and exits once the API has applied them.
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "config/gateway_config.hpp"
#include "gateway/gateway_main.hpp"
#include "gateway/ledger_log/log_recovery.hpp"

namespace kt::gateway {

int drain_spool(const DrainOptions& options) {
  std::string api_url = options.api_url, token_env = options.token_env;
  std::vector<int> thresholds;
  if (!options.policy_config.empty()) {
    auto loaded = config::load_gateway_config_file(options.policy_config);
    if (!loaded.ok()) {
      spdlog::error("{} is not valid; run: kt policy lint --file {}", options.policy_config, options.policy_config);
      return 2;
    }
    if (loaded.config->api) {
      if (api_url.empty()) api_url = loaded.config->api->url;
      token_env = loaded.config->api->token_env;
    }
    for (const auto& a : loaded.config->cost_tracking.budget_alerts)
      if (a.action == "notify") thresholds.push_back(a.threshold_percent);
  }
  if (api_url.empty()) api_url = std::getenv("KEEPTRUSTS_API_URL") ? std::getenv("KEEPTRUSTS_API_URL") : "";
  auto url = http::Url::parse(api_url);
  if (!url) {
    spdlog::error("the API's URL is needed: --api-url, the config's api.url, or KEEPTRUSTS_API_URL");
    return 2;
  }
  const char* token = std::getenv(token_env.c_str());
  if (!token || !*token) {
    spdlog::error("{} is not set: the API token is needed", token_env);
    return 2;
  }
  auto logs = adopt_dead_logs(options.spool_dir + "/ledger", spool::LogOptions{}, thresholds);
  if (logs.empty()) {
    spdlog::info("nothing to drain in {} (no ledger log without a live gateway)", options.spool_dir);
    return 0;
  }
  boost::asio::io_context ioc;  // never run: shipping here is blocking
  http::ClientPool pool(ioc);
  int64_t billed = 0, leases = 0;
  Money billed_amount;
  size_t drained = 0;
  for (auto& log : logs) {
    LogShipper shipper(ioc, ApiLink{*url, token, &pool, nullptr}, *log);
    if (!shipper.drain_blocking(std::chrono::seconds(options.timeout_seconds))) {
      spdlog::error("ledger log {} could not be shipped within {} s; it stays in the spool", log->log_id,
                    options.timeout_seconds);
      continue;
    }
    log->segments->remove();
    billed += log->settled_at_reservation;
    billed_amount += log->billed_at_reservation;
    leases += log->leases_returned;
    ++drained;
  }
  spdlog::info("drained {} of {} ledger log(s): {} request(s) in flight billed at their reservation ({}), {} lease(s) "
               "returned",
               drained, logs.size(), billed, billed_amount.to_display(), leases);
  return drained == logs.size() ? 0 : 1;
}

}  // namespace kt::gateway
