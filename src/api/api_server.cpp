#include "api/api_server.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "api/api_context.hpp"
#include "core/host_port.hpp"
#include "core/ids.hpp"
#include "core/json_duplicate_keys.hpp"
#include "core/log_text.hpp"

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

// The path of a key given twice in a JSON body (event batches: in any of their lines), or "".
// Malformed bodies are left to the routes, which answer invalid_json in their own words.
std::string repeated_key(std::string_view path, std::string_view body) {
  if (path != "/v1/events/batch") {
    JsonKeyCheck r = check_json_keys(body);
    return r.status == JsonKeyCheck::Status::duplicate ? r.path : std::string();
  }
  for (size_t line_no = 1; !body.empty(); ++line_no) {
    size_t nl = body.find('\n');
    JsonKeyCheck r = check_json_keys(body.substr(0, nl));
    if (r.status == JsonKeyCheck::Status::duplicate) return "line " + std::to_string(line_no) + ": " + r.path;
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
  }
  return {};
}

using RouteHandler = awaitable<void> (*)(ApiContext&, http::Request&, http::ResponseWriter&);

struct ApiRoute {
  std::string_view method, path;
  RouteHandler handler;
};

template <const char* Op>
awaitable<void> single_ledger_op(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  return post_single_ledger_op(ctx, req, res, Op);
}
constexpr char kReserve[] = "reserve", kSettle[] = "settle", kRelease[] = "release";

constexpr ApiRoute kRoutes[] = {
    {"POST", "/v1/model-pricing", post_model_pricing},
    {"GET", "/v1/model-pricing", get_model_pricing},
    {"POST", "/v1/wallets/allocate", post_allocate},
    {"POST", "/v1/wallets/credit", post_credit},
    {"GET", "/v1/wallets/balance", get_balance},
    {"GET", "/v1/wallets", get_wallets},
    {"POST", "/v1/gateway/ledger", post_ledger_ops},
    {"POST", "/v1/gateway/log", post_gateway_log},
    {"GET", "/v1/gateway/logs", get_gateway_logs},
    {"POST", "/v1/gateway/wallets/reserve", single_ledger_op<kReserve>},
    {"POST", "/v1/gateway/wallets/settle", single_ledger_op<kSettle>},
    {"POST", "/v1/gateway/wallets/release", single_ledger_op<kRelease>},
    {"POST", "/v1/consumer-groups", post_consumer_groups},
    {"GET", "/v1/consumer-groups", get_consumer_groups},
    {"POST", "/v1/gateway/consumer-groups", post_consumer_groups},
    {"GET", "/v1/gateway/consumer-groups", get_consumer_groups},
    {"POST", "/v1/events/batch", post_events},
    {"GET", "/v1/events", get_events},
    {"GET", "/v1/spend", get_spend},
    {"GET", "/metrics", get_metrics},
};

// A request's route for /metrics: a path of the table (never the client's own), or "unmatched".
std::string_view route_label(std::string_view path) {
  if (path == "/health") return "/health";
  for (const auto& r : kRoutes)
    if (r.path == path) return r.path;
  return "unmatched";
}

// Decided from the request head alone (the server's head hook, before the body is read, and
// again by dispatch): /health is open; anything else needs the admin token (401), a known path
// (404) and one of its methods (405). Null with `route` set when the request may go on.
std::optional<http::EarlyResponse> admit(const ApiContext& ctx, const http::Request& req, const ApiRoute** route) {
  const std::string_view path = req.path();
  if (path == "/health") return std::nullopt;
  auto refuse = [](const ApiError& e, http::Headers headers = {}) {
    return http::EarlyResponse{e.status, error_envelope(e), std::move(headers)};
  };
  if (!authorized(ctx, req))
    return refuse(unauthorized("missing or invalid admin token: send Authorization: Bearer <token>"));
  std::string allow;
  for (const auto& r : kRoutes) {
    if (r.path != path) continue;
    if (r.method == req.method) {
      if (route) *route = &r;
      return std::nullopt;
    }
    allow += (allow.empty() ? "" : ", ") + std::string(r.method);
  }
  if (allow.empty()) return refuse(not_found("no route for " + req.method + " " + std::string(path)));
  return refuse(ApiError{405, "invalid_request_error", "method_not_allowed",
                         "method " + req.method + " is not allowed on " + std::string(path)},
                {{"Allow", allow}});
}

// The server's head hook: admit() before the body is read; the route found rides to dispatch.
std::optional<http::EarlyResponse> on_head(const ApiContext& ctx, http::Request& req) {
  const ApiRoute* route = nullptr;
  auto early = admit(ctx, req, &route);
  if (route) req.admitted = route;
  if (early && ctx.metrics) ctx.metrics->count_request(req.method, route_label(req.path()), early->status);
  return early;
}

awaitable<void> serve(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  const ApiRoute* route = nullptr;
  if (const auto* admitted = std::any_cast<const ApiRoute*>(&req.admitted)) {
    route = *admitted;
  } else if (auto early = admit(ctx, req, &route)) {  // called without the head hook
    co_return co_await res.send(early->status, "application/json", std::move(early->body), early->headers);
  }
  if (!route) co_return co_await reply_json(res, 200, R"({"status":"ok"})");  // /health
  // One rule for every JSON body, as at the gateway: a repeated key is refused before any route
  // reads it. (A gateway log batch is frames the gateway wrote, each checked when read.)
  if (!req.body.empty() && route->handler != post_gateway_log)
    if (std::string key = repeated_key(req.path(), req.body); !key.empty())
      co_return co_await reply_json(res, 400, duplicate_key_body(key));
  bool out_of_range = false;
  try {
    co_return co_await route->handler(ctx, req, res);
  } catch (const ledger::StoreError& e) {
    // The store's message may name tables; log it, answer generically.
    spdlog::error("store error on {} {}: {}", printable(req.method), printable(req.path()), printable(e.what(), 1000));
  } catch (const MoneyOverflow&) {
    out_of_range = true;  // (no co_await inside a handler)
  }
  if (out_of_range)  // an amount that would take a balance past int64 nano-dollars: refused, never wrapped
    co_return co_await reply_error(res, ApiError{422, "invalid_request_error", "amount_out_of_range",
                                                 "the amount would take a balance out of range (more than 9.2 billion dollars)"});
  co_await reply_error(res, ApiError{503, "api_error", "store_unavailable", "the ledger store failed; retry later"});
}

awaitable<void> dispatch(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  StatusRecorder answer(res);
  co_await serve(ctx, req, answer);
  if (ctx.metrics && answer.status()) ctx.metrics->count_request(req.method, route_label(req.path()), answer.status());
}

}  // namespace

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
  so.limits = options.limits;
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
  ApiMetrics metrics;
  StoreExecutor executor(std::move(stores));
  executor.time_calls([&metrics](std::chrono::nanoseconds d) { metrics.observe_store_call(d); });
  executor.start_sweeper(std::chrono::seconds(1), {options.reservation_ttl_seconds, options.lease_grace_seconds});
  ApiContext ctx{executor, token, &metrics};
  http::Server server(so, [&ctx](boost::asio::io_context&, size_t) -> http::Routes {
    return http::Routes([&ctx](http::Request& req, http::ResponseWriter& res) { return dispatch(ctx, req, res); },
                        [&ctx](http::Request& req) { return on_head(ctx, req); });
  });
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
