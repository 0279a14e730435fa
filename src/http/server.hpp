#pragma once
// An HTTP/1.1 server on Boost.Beast with C++20 coroutines. One io_context per worker thread,
// each with its own SO_REUSEPORT acceptor, so no lock is shared by all connections.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/types.hpp"

namespace kt::http {

using boost::asio::awaitable;

// Thrown by a handler to make the server close the connection at once, without an answer
// (or, inside a stream, without the terminating chunk). Used to simulate broken upstreams: it may
// first write `last_bytes` as they are (no framing: garbage, or a head whose body never comes
// whole), and `reset` closes with a TCP RST instead of a FIN.
struct AbortConnection : std::exception {
  AbortConnection() = default;
  explicit AbortConnection(std::string bytes, bool rst = false) : last_bytes(std::move(bytes)), reset(rst) {}
  const char* what() const noexcept override { return "connection aborted by handler"; }
  std::string last_bytes;
  bool reset = false;
};

// How a handler answers: either one whole response, or a stream of chunks (SSE).
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual awaitable<void> send(int status, std::string_view content_type, std::string body,
                               const Headers& extra = {}) = 0;
  // Streaming (chunked transfer encoding). The head is held until the first write, so a stream
  // whose events are all at hand leaves in one write (head + chunk + end); flush() sends the head
  // alone, for when nothing is ready to go with it.
  virtual awaitable<void> start_stream(int status, std::string_view content_type, const Headers& extra = {}) = 0;
  virtual awaitable<void> flush() = 0;
  // Writes one chunk and flushes it to the socket (last: and ends the stream in the same write);
  // false when the client has gone away.
  virtual awaitable<bool> write_chunk(std::string_view data, bool last = false) = 0;
  // Ends the stream (a no-op after a last chunk).
  virtual awaitable<void> end_stream() = 0;
  virtual bool responded() const = 0;
};

// Server behaviour around handlers:
// - a handler that throws before responding gets a 500 error envelope ("internal error"; the
//   exception text is never sent); one that throws after responding has its connection closed;
// - a handler that returns without responding gets a 500; one that returns in the middle of a
//   stream (start_stream without end_stream) has its connection closed, so the client sees a
//   truncated body rather than a complete one;
// - send/write failures (client gone) do not throw: write_chunk returns false, and the
//   connection is closed after the handler returns.
using Handler = std::function<awaitable<void>(Request&, ResponseWriter&)>;

// An answer given from the request head alone (401, 404, 405, ...): the body is not read.
struct EarlyResponse {
  int status = 400;
  std::string body;  // sent as application/json
  Headers headers;
};
// Called on each request once its head is parsed and checked, before the body is read (the
// request's body is still empty). Returning an answer sends it instead of calling the handler;
// the connection is kept only when the body (if any) has already arrived and can be skipped,
// else it is closed after the answer. It may note what it learnt in `Request::admitted` for the
// handler. Called on the worker's thread; it must not block.
using HeadHook = std::function<std::optional<EarlyResponse>(Request&)>;

// What one worker thread serves. A factory may return just a Handler.
struct Routes {
  Routes(Handler h) : handler(std::move(h)) {}  // NOLINT: implicit on purpose
  Routes(Handler h, HeadHook head, std::function<void()> stop = {})
      : handler(std::move(h)), on_head(std::move(head)), on_stop(std::move(stop)) {}
  Handler handler;
  HeadHook on_head;              // optional
  std::function<void()> on_stop;  // optional: run on the worker's thread when stop() begins
};
// Called once on each worker thread with that worker's io_context: per-thread state
// (connection pools, batchers) lives in the returned handler's closure.
using HandlerFactory = std::function<Routes(boost::asio::io_context&, size_t worker_index)>;
// Builds the body of errors the server answers itself (400 malformed HTTP, 413, 431, 500, 503).
using ErrorBody = std::function<std::string(int status, std::string_view code, std::string_view message)>;

// What one client may make the server hold, and for how long. Past a limit the server answers
// with the error envelope and closes the connection (docs/operations.md "Limits").
struct ServerLimits {
  // 413 request_too_large when Content-Length says more, before any of the body is read; a
  // chunked body is cut off (413) as soon as it passes the limit.
  size_t body_limit = 4 * 1024 * 1024;
  // The request line and header fields: 431 header_too_large / too_many_headers beyond these.
  size_t header_bytes = 16 * 1024;
  size_t header_count = 100;
  // The whole head must arrive within header_timeout of its first byte (of the connection's
  // start for the first request), the whole body within body_timeout of the head's end, else
  // the connection is closed. A kept-alive connection waits idle_timeout for its next request,
  // then closes; idle_timeout also bounds each response write.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  // Open connections per process (all workers): past it a new connection gets a 503 envelope
  // and is closed at once, so the acceptor never stalls.
  size_t max_connections = 10'000;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;               // 0 picks a free port (see Server::port())
  size_t threads = 1;
  ServerLimits limits;
  ErrorBody error_body;
  // run() stops the server on SIGINT/SIGTERM; a server inside another program (the HTTP fuzzer,
  // whose libFuzzer owns those signals) leaves them alone and is stopped with stop().
  bool handle_signals = true;
};

class Server {
 public:
  Server(ServerOptions options, HandlerFactory factory);
  ~Server();
  // Binds all acceptors; throws std::runtime_error with a clear message if the address is taken.
  void listen();
  uint16_t port() const;
  // Runs the worker threads until stop(); the calling thread becomes worker 0.
  void run();
  // Thread-safe; also called from the SIGINT/SIGTERM handlers set up by run() (handle_signals).
  void stop();
  // Connections open now, across all workers (thread-safe).
  size_t open_connections() const;
  // Registers a callback run once when stop() begins (on the thread calling stop(), or worker 0
  // for a signal), before connections are closed. Register before run().
  void on_stop(std::function<void()> callback);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kt::http
