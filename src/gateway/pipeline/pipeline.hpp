#pragma once
#include "gateway/events/auth_failures.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/worker.hpp"
#include "http/server.hpp"

namespace kt::gateway {

// The gateway's routes for one worker thread.
class Pipeline {
 public:
  Pipeline(const GatewayShared& shared, Worker& worker)
      : shared_(shared),
        w_(worker),
        auth_failures_(&worker.ioc, shared.auth_failures->add_worker(),
                       [&worker](std::string event) { worker.events->push(std::move(event)); }) {}
  // The server's head hook: before the body is read, an unknown route is a 404, a wrong method
  // a 405, a missing or unknown consumer key on a priced route (or /v1/models) a 401 (counted
  // by source, see auth_failures.hpp). Who was accepted is left in req.admitted (see handle).
  std::optional<http::EarlyResponse> on_head(http::Request& req);
  boost::asio::awaitable<void> handle(http::Request& req, http::ResponseWriter& res);
  // On this worker's thread when the server stops: the open window of auth failures is pushed.
  void on_stop();

 private:
  // Every priced route (chat, completions, embeddings, responses, messages) goes through here.
  boost::asio::awaitable<void> priced_route(http::Request& req, http::ResponseWriter& res, providers::Route route);
  boost::asio::awaitable<void> list_models(http::ResponseWriter& res);
  const GatewayShared& shared_;
  Worker& w_;
  AuthFailureLog auth_failures_;
};

}  // namespace kt::gateway
