#pragma once
#include "gateway/gateway_shared.hpp"
#include "gateway/worker.hpp"
#include "http/server.hpp"

namespace kt::gateway {

// The gateway's routes for one worker thread.
class Pipeline {
 public:
  Pipeline(const GatewayShared& shared, Worker& worker) : shared_(shared), w_(worker) {}
  boost::asio::awaitable<void> handle(http::Request& req, http::ResponseWriter& res);

 private:
  // Every priced route (chat, completions, embeddings, responses, messages) goes through here.
  boost::asio::awaitable<void> priced_route(http::Request& req, http::ResponseWriter& res, providers::Route route);
  boost::asio::awaitable<void> list_models(http::Request& req, http::ResponseWriter& res);
  const GatewayShared& shared_;
  Worker& w_;
};

}  // namespace kt::gateway
