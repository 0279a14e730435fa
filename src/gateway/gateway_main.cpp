#include "gateway/gateway_main.hpp"

#include <atomic>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "core/error.hpp"
#include "core/host_port.hpp"
#include "gateway/api_bootstrap.hpp"
#include "gateway/gateway_setup.hpp"
#include "gateway/ledger_log/log_recovery.hpp"
#include "gateway/pipeline/pipeline.hpp"

namespace kt::gateway {
using namespace std::chrono_literals;

int run_gateway(const GatewayOptions& options) {
  auto loaded = config::load_gateway_config_file(options.policy_config);
  for (const auto& d : loaded.diagnostics)
    if (d.warning || !loaded.ok()) spdlog::log(d.warning ? spdlog::level::warn : spdlog::level::err, "{}",
                                             config::format_diagnostic(d, options.policy_config));
  if (!loaded.ok()) {
    spdlog::error("{} is not valid; run: kt policy lint --file {}", options.policy_config, options.policy_config);
    return 2;
  }
  std::unique_ptr<GatewayShared> shared;
  try {
    shared = std::make_unique<GatewayShared>(build_shared(loaded.config, options.spool_dir));
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  http::ServerOptions so;
  if (!split_host_port(options.listen, so.host, so.port)) {
    spdlog::error("--listen must be HOST:PORT, got '{}'", options.listen);
    return 2;
  }
  so.threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  shared->workers = so.threads;
  so.limits = options.limits;
  so.error_body = [](int status, std::string_view code, std::string_view message) {
    return error_envelope(ApiError{status, "invalid_request_error", std::string(code), std::string(message)});
  };
  log_startup(*shared);
  auto initial_prices = register_with_api(*shared);
  // What earlier runs left in the spool, adopted before this run's workers make their own logs:
  // their ledger logs (requests in flight billed at their reservation), shipped by worker 0.
  std::vector<std::unique_ptr<RecoveredLog>> dead;
  if (shared->api_url) {
    std::error_code ec;
    std::filesystem::create_directories(shared->spool_dir + "/ledger", ec);
    if (ec) {
      spdlog::error("cannot use the spool folder {}: {}", shared->spool_dir, ec.message());
      return 2;
    }
    spool::LogOptions lo;
    spool::parse_fsync_policy(shared->config->cost_tracking.ledger_log.fsync, lo.fsync);
    dead = adopt_dead_logs(shared->spool_dir + "/ledger", lo, shared->notify_thresholds);
  }

  std::vector<std::unique_ptr<Worker>> workers(so.threads);
  std::vector<std::unique_ptr<Pipeline>> pipelines(so.threads);
  std::unique_ptr<RecoveryShipping> recovery;
  std::unique_ptr<ApiKeySync> key_sync;
  // Each worker's lease pool, published once built, so a worker refused for room that a sibling's
  // idle lease holds can ask for it back (on the sibling's own thread).
  auto lease_pools = std::make_shared<std::vector<std::atomic<Worker*>>>(so.threads);
  auto peers = std::make_shared<std::vector<std::atomic<Worker*>>>(so.threads);  // for /metrics
  http::Server server(so, [&](boost::asio::io_context& ioc, size_t index) -> http::Routes {
    try {
      workers[index] = std::make_unique<Worker>(ioc, index, *shared);
    } catch (const std::exception& e) {
      spdlog::error("cannot start worker {}: {}", index, e.what());
      throw;
    }
    Worker& w = *workers[index];
    if (w.leases && so.threads > 1) {
      w.return_sibling_leases = [lease_pools, index](const std::string& team) {
        for (size_t i = 0; i < lease_pools->size(); ++i) {
          Worker* other = (*lease_pools)[i].load(std::memory_order_acquire);
          if (i == index || !other) continue;
          boost::asio::post(other->ioc, [other, team] { other->leases->return_for_sibling(team); });
        }
      };
    }
    if (index == 0 && w.log) {
      if (!dead.empty()) {
        recovery = std::make_unique<RecoveryShipping>(ioc, ApiLink{*shared->api_url, shared->api_token, &w.pool, nullptr},
                                                      std::move(dead));
        recovery->start();
      }
      // Event files of kt before the ledger log.
      adopt_legacy_event_spools(shared->spool_dir, [&w](std::string line) { w.events->push(std::move(line)); });
    }
    if (index == 0 && shared->api_url) {
      key_sync = std::make_unique<ApiKeySync>(ioc, ApiLink{*shared->api_url, shared->api_token, &w.pool, nullptr}, shared->api_keys);
      key_sync->start();
    }
    w.prices->set(initial_prices);
    w.prices->start(5000ms);
    w.start();
    if (w.leases) (*lease_pools)[index].store(&w, std::memory_order_release);
    w.peers = peers;
    (*peers)[index].store(&w, std::memory_order_release);
    pipelines[index] = std::make_unique<Pipeline>(*shared, w);
    Pipeline* p = pipelines[index].get();
    return http::Routes([p](http::Request& req, http::ResponseWriter& res) { return p->handle(req, res); },
                        [p](http::Request& req) { return p->on_head(req); }, [p] { p->on_stop(); });
  });
  try {
    server.listen();
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}: {}", options.listen, e.what());
    return 2;
  }
  spdlog::get("keeptrusts::gateway")->info("Gateway ready");
  int code = 0;
  try {
    server.run();
  } catch (const std::exception& e) {
    spdlog::error("the gateway stopped on an error: {}", e.what());
    code = 2;
  }
  // The workers' loops have stopped: their logs are closed and shipped (what cannot be shipped
  // now stays in the spool for the next start).
  std::vector<std::thread> closing;
  for (auto& w : workers)
    if (w) closing.emplace_back([&w] { w->shut_down(5000ms); });
  for (auto& t : closing) t.join();
  // The workers' timers and sockets belong to the server's io_contexts: they go first.
  recovery.reset();
  key_sync.reset();
  pipelines.clear();
  workers.clear();
  spdlog::get("keeptrusts::gateway")->info("Gateway stopped");
  return code;
}

}  // namespace kt::gateway
