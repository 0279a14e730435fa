#include "api/api_server.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "api/api_context.hpp"
#include "core/host_port.hpp"
#include "core/ids.hpp"

namespace kt::api {

awaitable<void> reply_json(http::ResponseWriter& res, int status, std::string body) {
  co_await res.send(status, "application/json", std::move(body));
}

awaitable<void> reply_error(http::ResponseWriter& res, const ApiError& e) {
  co_await res.send(e.status, "application/json", error_envelope(e));
}

namespace {

bool authorized(const ApiContext& ctx, const http::Request& req) {
  auto h = req.header("authorization");
  if (!h) return false;
  std::string_view v = *h;
  if (v.size() < 7 || (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer ")) return false;
  return constant_time_equal(v.substr(7), ctx.admin_token);
}

awaitable<void> dispatch(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  const std::string_view path = req.path();
  const std::string& m = req.method;
  if (path == "/health") co_return co_await reply_json(res, 200, R"({"status":"ok"})");
  if (!authorized(ctx, req))
    co_return co_await reply_error(res, unauthorized("missing or invalid admin token: send Authorization: Bearer <token>"));
  try {
    if (path == "/v1/model-pricing") {
      if (m == "POST") co_return co_await post_model_pricing(ctx, req, res);
      if (m == "GET") co_return co_await get_model_pricing(ctx, req, res);
    } else if (path == "/v1/wallets/allocate" && m == "POST") {
      co_return co_await post_allocate(ctx, req, res);
    } else if (path == "/v1/wallets/credit" && m == "POST") {
      co_return co_await post_credit(ctx, req, res);
    } else if (path == "/v1/wallets/balance" && m == "GET") {
      co_return co_await get_balance(ctx, req, res);
    } else if (path == "/v1/wallets" && m == "GET") {
      co_return co_await get_wallets(ctx, req, res);
    } else if (path == "/v1/gateway/ledger" && m == "POST") {
      co_return co_await post_ledger_ops(ctx, req, res);
    } else if (path == "/v1/gateway/wallets/reserve" && m == "POST") {
      co_return co_await post_single_ledger_op(ctx, req, res, "reserve");
    } else if (path == "/v1/gateway/wallets/settle" && m == "POST") {
      co_return co_await post_single_ledger_op(ctx, req, res, "settle");
    } else if (path == "/v1/gateway/wallets/release" && m == "POST") {
      co_return co_await post_single_ledger_op(ctx, req, res, "release");
    } else if (path == "/v1/consumer-groups" || path == "/v1/gateway/consumer-groups") {
      if (m == "POST") co_return co_await post_consumer_groups(ctx, req, res);
      if (m == "GET") co_return co_await get_consumer_groups(ctx, req, res);
    } else if (path == "/v1/events/batch" && m == "POST") {
      co_return co_await post_events(ctx, req, res);
    } else if (path == "/v1/events" && m == "GET") {
      co_return co_await get_events(ctx, req, res);
    } else if (path == "/v1/spend" && m == "GET") {
      co_return co_await get_spend(ctx, req, res);
    } else {
      co_return co_await reply_error(res, not_found("no route for " + m + " " + std::string(path)));
    }
    co_return co_await reply_error(res, ApiError{405, "invalid_request_error", "method_not_allowed",
                                                 "method " + m + " is not allowed on " + std::string(path)});
  } catch (const ledger::StoreError& e) {
    // The store's message may name tables; log it, answer generically.
    spdlog::error("store error on {} {}: {}", m, path, e.what());
  }
  co_await reply_error(res, ApiError{503, "api_error", "store_unavailable", "the ledger store failed; retry later"});
}

}  // namespace

http::Handler api_handler(ApiContext& ctx) {
  return [&ctx](http::Request& req, http::ResponseWriter& res) { return dispatch(ctx, req, res); };
}

int run_api_server(const ApiOptions& options) {
  const char* token = std::getenv(options.token_env.c_str());
  if (!token || !*token) {
    spdlog::error("{} is not set: the API needs an admin token", options.token_env);
    return 2;
  }
  http::ServerOptions so;
  if (!split_host_port(options.listen, so.host, so.port)) {
    spdlog::error("--listen must be HOST:PORT, got '{}'", options.listen);
    return 2;
  }
  so.threads = options.threads;
  so.body_limit = 16 * 1024 * 1024;  // event batches can be large
  std::vector<std::unique_ptr<ledger::Store>> stores;
  try {
    stores.push_back(ledger::open_store(options.database));
    // A store that waits through Asio (PostgreSQL) gets a pool: one connection per concurrent call.
    if (stores.front()->set_socket_waiter(nullptr))
      while (stores.size() < std::max<size_t>(1, options.database_connections))
        stores.push_back(ledger::open_store(options.database));
  } catch (const std::exception& e) {
    spdlog::error("cannot open database: {}", e.what());
    return 2;
  }
  StoreExecutor executor(std::move(stores));
  executor.start_sweeper(std::chrono::seconds(1), options.reservation_ttl_seconds);
  ApiContext ctx{executor, token};
  http::Server server(so, [&ctx](boost::asio::io_context&, size_t) { return api_handler(ctx); });
  try {
    server.listen();
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}: {}", options.listen, e.what());
    return 2;
  }
  spdlog::info("API listening on {}:{} (database {})", so.host, server.port(),
               options.database.substr(0, options.database.find(':')));
  server.run();
  spdlog::info("API stopped");
  return 0;
}

}  // namespace kt::api
