#pragma once
// The server's insides, shared by server.cpp (listening, accepting, stopping) and
// server_session.cpp (one connection's requests). Not part of the http library's interface.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <atomic>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "http/server.hpp"

namespace kt::http {

struct Connection {
  boost::beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request: stop() may close it at once
};

struct Server::Impl {
  struct Worker {
    boost::asio::io_context ioc{1};
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    Routes routes{Handler{}};
    std::unordered_set<Connection*> connections;  // touched only on this worker's thread
    std::optional<boost::asio::steady_timer> grace_timer;
    bool stopping = false;
  };

  ServerOptions options;
  HandlerFactory factory;
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t bound_port = 0;
  std::atomic<bool> stop_requested{false};
  std::atomic<size_t> open_connections{0};  // all workers: the max_connections cap
  std::string overload_answer;              // the whole 503 response, built once
  std::optional<boost::asio::signal_set> signals;  // lives on worker 0
  std::mutex callbacks_mutex;
  std::vector<std::function<void()>> stop_callbacks;

  std::string error_body(int status, std::string_view code, std::string_view message) const;

  // server.cpp
  void bind_all();
  void probe_free(const boost::asio::ip::address& address, uint16_t port);
  awaitable<void> accept_loop(Worker& w);
  void refuse_overloaded(boost::asio::ip::tcp::socket& socket);
  awaitable<void> session(Worker& w, boost::asio::ip::tcp::socket socket);
  void begin_stop(Worker& w);

  // server_session.cpp: a connection's requests, one after the other, until it closes.
  awaitable<void> serve(Worker& w, Connection& conn);
  // Answers an error the server decides itself (Connection: close), then closes gently.
  awaitable<void> refuse(Connection& conn, int status, std::string_view code, std::string_view message);
  // Sends a head hook's answer; false when the connection must close after it.
  awaitable<bool> answer_early(Connection& conn, boost::beast::flat_buffer& buffer, EarlyResponse early,
                               bool keep_alive, bool body_pending, std::optional<uint64_t> content_length);
};

}  // namespace kt::http
