#include "gateway/gateway_main.hpp"

#include <atomic>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <thread>

#include "core/error.hpp"
#include "core/host_port.hpp"
#include "gateway/gateway_setup.hpp"
#include "gateway/pipeline.hpp"

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
  so.body_limit = shared->body_limit;
  so.error_body = [](int status, std::string_view code, std::string_view message) {
    return error_envelope(ApiError{status, "invalid_request_error", std::string(code), std::string(message)});
  };
  log_startup(*shared);
  auto initial_prices = register_with_api(*shared);

  std::vector<std::unique_ptr<Worker>> workers(so.threads);
  std::vector<std::unique_ptr<Pipeline>> pipelines(so.threads);
  // Each worker's lease pool, published once built, so a worker refused for room that a sibling's
  // idle lease holds can ask for it back (on the sibling's own thread).
  auto lease_pools = std::make_shared<std::vector<std::atomic<Worker*>>>(so.threads);
  http::Server server(so, [&](boost::asio::io_context& ioc, size_t index) -> http::Handler {
    workers[index] = std::make_unique<Worker>(ioc, index, *shared);
    Worker& w = *workers[index];
    if (w.leases && so.threads > 1) {
      w.return_sibling_leases = [lease_pools, index](const std::string& team) {
        for (size_t i = 0; i < lease_pools->size(); ++i) {
          Worker* other = (*lease_pools)[i].load(std::memory_order_acquire);
          if (i == index || !other) continue;
          boost::asio::post(other->ioc, [other, team] { other->leases->return_idle(team); });
        }
      };
    }
    if (index == 0) adopt_orphan_spools(shared->spool_dir, w.events->spool_path());
    w.prices->set(initial_prices);
    w.prices->start(5000ms);
    w.events->start();
    if (w.leases) w.leases->start();
    if (w.leases) (*lease_pools)[index].store(&w, std::memory_order_release);
    pipelines[index] = std::make_unique<Pipeline>(*shared, w);
    Pipeline* p = pipelines[index].get();
    return [p](http::Request& req, http::ResponseWriter& res) { return p->handle(req, res); };
  });
  try {
    server.listen();
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}: {}", options.listen, e.what());
    return 2;
  }
  spdlog::get("keeptrusts::gateway")->info("Gateway ready");
  server.run();
  // The workers' loops have stopped: hand over what is still queued.
  for (auto& w : workers) {
    if (!w) continue;
    if (w->leases) w->leases->return_all();  // queued behind the settles, so nothing is returned twice
    if (w->ledger_client) w->ledger_client->drain_blocking();
    w->events->drain_blocking();
  }
  // The workers' timers and sockets belong to the server's io_contexts: they go first (declared
  // before the server, they would be destroyed after it, on freed services: ASan/UBSan at exit).
  pipelines.clear();
  workers.clear();
  spdlog::get("keeptrusts::gateway")->info("Gateway stopped");
  return 0;
}

}  // namespace kt::gateway
