#pragma once
// An HTTP/1.1 server on Boost.Beast with C++20 coroutines. One io_context per worker thread,
// each with its own SO_REUSEPORT acceptor, so no lock is shared by all connections.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "http/types.hpp"

namespace kt::http {

using boost::asio::awaitable;

// Thrown by a handler to make the server close the connection at once, without an answer
// (or, inside a stream, without the terminating chunk). Used to simulate dropped upstreams.
struct AbortConnection : std::exception {
  const char* what() const noexcept override { return "connection aborted by handler"; }
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
// Called once on each worker thread with that worker's io_context: per-thread state
// (connection pools, batchers) lives in the returned handler's closure.
using HandlerFactory = std::function<Handler(boost::asio::io_context&, size_t worker_index)>;
// Builds the body of errors the server answers itself (413, 400 malformed HTTP, 500).
using ErrorBody = std::function<std::string(int status, std::string_view code, std::string_view message)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;               // 0 picks a free port (see Server::port())
  size_t threads = 1;
  size_t body_limit = 4 * 1024 * 1024;
  std::chrono::seconds idle_timeout{75};
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
  // Worker io_contexts, e.g. to spawn background coroutines before run().
  boost::asio::io_context& worker_context(size_t index);
  // Registers a callback run once when stop() begins (on the thread calling stop(), or worker 0
  // for a signal), before connections are closed. Register before run().
  void on_stop(std::function<void()> callback);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kt::http
