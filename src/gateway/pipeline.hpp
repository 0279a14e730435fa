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
  boost::asio::awaitable<void> chat_completions(http::Request& req, http::ResponseWriter& res);
  boost::asio::awaitable<void> list_models(http::Request& req, http::ResponseWriter& res);
  const GatewayShared& shared_;
  Worker& w_;
};

}  // namespace kt::gateway
