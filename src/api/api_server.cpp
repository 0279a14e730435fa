#include "api/api_server.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>

#include "api/api_context.hpp"
#include "api/event_retention.hpp"
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

// Who is calling, from the Authorization header: the bootstrap admin token (compared in
// constant time), a scoped token (TokenCache), or an error: 401 for a missing, unknown or
// revoked token, 503 when the scoped tokens cannot be checked (the store has been silent too long).
std::optional<ApiError> authenticate(const ApiContext& ctx, const http::Request& req, Scope& scope) {
  auto h = req.header("authorization");
  std::string_view v = h.value_or("");
  if (v.size() < 7 || (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer "))
    return unauthorized("missing API token: send Authorization: Bearer <token>");
  v.remove_prefix(7);
  if (constant_time_equal(v, ctx.admin_token)) {
    scope = Scope::admin;
    return std::nullopt;
  }
  auto found = ctx.tokens.find(v);
  if (found.status == TokenCache::Lookup::Status::found) {
    scope = found.scope;
    return std::nullopt;
  }
  if (found.status == TokenCache::Lookup::Status::stale)
    return ApiError{503, "api_error", "tokens_unavailable",
                    "API tokens cannot be checked right now (the ledger store is not answering); retry later"};
  return unauthorized("invalid or revoked API token: send Authorization: Bearer <token>");
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
  std::string_view method, path;  // a path may hold one "{id}" segment
  RouteHandler handler;
  ScopeSet scopes = kAdminOnly;   // who may call it besides admin
};

template <const char* Op>
awaitable<void> single_ledger_op(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  return post_single_ledger_op(ctx, req, res, Op);
}
constexpr char kReserve[] = "reserve", kSettle[] = "settle", kRelease[] = "release";
constexpr ScopeSet kReaders = kGateway | kViewer;

// Least privilege (docs/api.md "Tokens and scopes"): gateways move money only through ledger ops
// and logs, never allocate, credit or write prices; viewers only read.
constexpr ApiRoute kRoutes[] = {
    {"POST", "/v1/model-pricing", post_model_pricing},
    {"GET", "/v1/model-pricing", get_model_pricing, kReaders},
    {"POST", "/v1/wallets/allocate", post_allocate},
    {"POST", "/v1/wallets/credit", post_credit},
    {"GET", "/v1/wallets/balance", get_balance, kReaders},
    {"GET", "/v1/wallets", get_wallets, kReaders},
    {"POST", "/v1/gateway/ledger", post_ledger_ops, kGateway},
    {"POST", "/v1/gateway/log", post_gateway_log, kGateway},
    {"GET", "/v1/gateway/logs", get_gateway_logs, kViewer},
    {"POST", "/v1/gateway/wallets/reserve", single_ledger_op<kReserve>, kGateway},
    {"POST", "/v1/gateway/wallets/settle", single_ledger_op<kSettle>, kGateway},
    {"POST", "/v1/gateway/wallets/release", single_ledger_op<kRelease>, kGateway},
    {"POST", "/v1/consumer-groups", post_consumer_groups, kGateway},
    {"GET", "/v1/consumer-groups", get_consumer_groups, kViewer},
    {"POST", "/v1/gateway/consumer-groups", post_consumer_groups, kGateway},
    {"POST", "/v1/gateway/rate-grants", post_rate_grants, kGateway},
    {"GET", "/v1/gateway/consumer-groups", get_consumer_groups, kViewer},
    {"POST", "/v1/events/batch", post_events, kGateway},
    {"GET", "/v1/events", get_events, kViewer},
    {"GET", "/v1/events/{id}/explain", get_event_explain, kViewer},
    {"GET", "/v1/events/export", get_events_export, kViewer},
    {"GET", "/v1/spend", get_spend, kViewer},
    {"POST", "/v1/tokens", post_token},
    {"GET", "/v1/tokens", get_tokens},
    {"DELETE", "/v1/tokens/{id}", revoke_token},
    {"POST", "/v1/tokens/{id}/revoke", revoke_token},
    {"POST", "/v1/keys", post_key},
    {"GET", "/v1/keys", get_keys, kViewer},
    {"POST", "/v1/keys/revoke", revoke_key},
    {"POST", "/v1/keys/rotate", rotate_key},
    {"DELETE", "/v1/keys/{id}", revoke_key},
    {"POST", "/v1/gateway/keys", post_gateway_keys, kGateway},
    {"GET", "/metrics", get_metrics, kViewer},
};

// The dashboard's files need no token (docs/operations.md "Dashboard"); the page's own calls to /v1 do.
awaitable<void> get_ui(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  static const UiFiles kNone;
  return serve_ui(ctx.ui ? *ctx.ui : kNone, req, res);
}
constexpr ApiRoute kUiRoute{"GET", "/ui/", get_ui, kReaders};

// "{id}" matches one non-empty segment of letters, digits, '_' and '-' (no dots: no traversal).
bool path_matches(std::string_view pattern, std::string_view path) {
  const size_t at = pattern.find("{id}");
  if (at == std::string_view::npos) return pattern == path;
  const std::string_view before = pattern.substr(0, at), after = pattern.substr(at + 4);
  if (path.size() <= before.size() + after.size() || !path.starts_with(before) || !path.ends_with(after)) return false;
  for (char c : path.substr(before.size(), path.size() - before.size() - after.size()))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

// A request's route for /metrics: a path of the table (never the client's own), or "unmatched".
std::string_view route_label(std::string_view path) {
  if (path == "/health") return "/health";
  if (is_ui_path(path)) return kUiRoute.path;
  for (const auto& r : kRoutes)
    if (path_matches(r.path, path)) return r.path;
  return "unmatched";
}

// Decided from the request head alone (the server's head hook, before the body is read, and
// again by dispatch): /health is open; anything else needs a known token (401, checked first), a
// known path (404), one of its methods (405) and a token whose scope allows the route (403).
// Null with `route` set when the request may go on.
std::optional<http::EarlyResponse> admit(const ApiContext& ctx, const http::Request& req, const ApiRoute** route) {
  const std::string_view path = req.path();
  if (path == "/health") return std::nullopt;
  auto refuse = [](const ApiError& e, http::Headers headers = {}) {
    return http::EarlyResponse{e.status, error_envelope(e), std::move(headers)};
  };
  if (is_ui_path(path)) {
    if (req.method != "GET" && req.method != "HEAD")
      return refuse(ApiError{405, "invalid_request_error", "method_not_allowed",
                             "method " + req.method + " is not allowed on the dashboard's files"},
                    {{"Allow", "GET, HEAD"}});
    if (route) *route = &kUiRoute;
    return std::nullopt;
  }
  Scope scope = Scope::viewer;
  if (auto e = authenticate(ctx, req, scope)) return refuse(*e);
  std::string allow;
  for (const auto& r : kRoutes) {
    if (!path_matches(r.path, path)) continue;
    if (r.method == req.method) {
      if (!allows(r.scopes, scope))
        return refuse(ApiError{403, "permission_error", "insufficient_scope",
                               "a " + std::string(scope_name(scope)) + " token cannot " + req.method + " " +
                                   std::string(r.path) + ": it needs " + scopes_text(r.scopes)});
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

http::Routes api_routes(ApiContext& ctx) {
  return http::Routes([&ctx](http::Request& req, http::ResponseWriter& res) { return dispatch(ctx, req, res); },
                      [&ctx](http::Request& req) { return on_head(ctx, req); });
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
  so.limits = options.limits;
  std::vector<std::unique_ptr<ledger::Store>> stores;
  TokenCache tokens;  // outlives the executor, whose thread reloads it
  try {
    stores.push_back(ledger::open_store(options.database));
    // A store that waits through Asio (PostgreSQL) gets a pool: one connection per concurrent call.
    if (stores.front()->set_socket_waiter(nullptr))
      while (stores.size() < std::max<size_t>(1, options.database_connections))
        stores.push_back(ledger::open_store(options.database));
    tokens.refresh(*stores.front());  // scoped tokens work from the first request
  } catch (const std::exception& e) {
    spdlog::error("cannot open database: {}", e.what());
    return 2;
  }
  ApiMetrics metrics;
  StoreExecutor executor(std::move(stores));
  executor.set_nice(options.store_nice);
  executor.time_calls([&metrics](std::chrono::nanoseconds d) { metrics.observe_store_call(d); });
  executor.start_sweeper(std::chrono::seconds(1), {options.reservation_ttl_seconds, options.lease_grace_seconds});
  start_event_retention(executor, options.event_retention_days);
  executor.run_every(TokenCache::kRefreshEvery, "reloading the API tokens", [&tokens](ledger::Store& s) { tokens.refresh(s); });
  const UiFiles ui = UiFiles::load(options.ui_dir.empty() ? default_ui_dir() : options.ui_dir);
  if (ui.size() == 0) spdlog::warn("no dashboard files in {}: /ui/ answers 404 (--ui-dir DIR)", ui.dir());
  else spdlog::info("dashboard: {} files from {}, served at /ui/", ui.size(), ui.dir());
  ApiContext ctx{executor, token, tokens, &metrics, &ui};
  http::Server server(so, [&ctx](boost::asio::io_context&, size_t) { return api_routes(ctx); });
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
