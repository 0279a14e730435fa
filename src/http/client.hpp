#pragma once
// HTTP/1.1 client with pooled keep-alive connections, TLS (certificate and host-name verified
// against the system store), and timeouts. One ClientPool per io_context: no cross-thread locks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "http/types.hpp"

namespace kt::http {

using boost::asio::awaitable;

struct ClientError : std::runtime_error {
  enum class Kind { connect, timeout, tls, protocol, closed };
  ClientError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

struct ClientRequest {
  std::string method = "POST";
  std::string target;  // path + query, e.g. "/v1/chat/completions"
  Headers headers;     // Host, Content-Length are set by the client
  std::string body;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// A response whose body is read piece by piece as it arrives (for SSE pass-through).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual int status() const = 0;
  virtual const Headers& headers() const = 0;
  // Next piece of the (de-chunked) body; nullopt at the end of the body. Throws ClientError
  // on timeout (idle_timeout between pieces) or a dropped connection.
  virtual awaitable<std::optional<std::string>> read_some(std::chrono::milliseconds idle_timeout) = 0;
  // The body has ended: the next read_some returns nullopt without waiting.
  virtual bool done() const = 0;
  // Some of the body has arrived and is not yet returned: the next read_some may not wait.
  virtual bool buffered() const = 0;
  // Reads the rest of the body (for error responses).
  virtual awaitable<std::string> read_all(std::chrono::milliseconds timeout) = 0;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  size_t max_idle_per_origin = 64;
  std::chrono::seconds idle_keepalive{30};
  // Extra PEM file of trusted CAs, added to the system store (private upstreams, tests).
  std::string ca_file;
};

class ClientPool {
 public:
  explicit ClientPool(boost::asio::io_context& ioc, ClientOptions options = {});
  ~ClientPool();
  // Whole response. Throws ClientError (connect, tls, timeout, protocol).
  awaitable<ClientResponse> request(const Url& origin, ClientRequest req, std::chrono::milliseconds timeout);
  // Response head now, body through the stream. `timeout` bounds connect + the response head.
  // The connection returns to the pool when the body has been read to the end; dropping the
  // stream early closes it.
  awaitable<std::unique_ptr<ResponseStream>> stream(const Url& origin, ClientRequest req,
                                                    std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Blocking helper for the CLI: one request on a private io_context.
ClientResponse blocking_request(const Url& origin, ClientRequest req, std::chrono::milliseconds timeout);

}  // namespace kt::http
