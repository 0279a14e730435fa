#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <array>
#include <atomic>
#include <charconv>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "http/head_writer.hpp"

namespace kt::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr size_t kHeaderLimit = 64 * 1024;
constexpr size_t kIdleBufferCap = 8 * 1024;
constexpr size_t kDrainLimit = 8 * 1024 * 1024;     // bytes read and dropped after a 413 / 400
constexpr std::chrono::seconds kDrainTime{1};
constexpr std::chrono::seconds kStopGrace{10};      // in-flight requests get this long on stop()

using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

struct Connection {
  beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request: stop() may close it at once
};

class ConnectionWriter final : public ResponseWriter {
 public:
  ConnectionWriter(beast::tcp_stream& stream, bool keep_alive, std::chrono::seconds write_timeout)
      : stream_(stream), keep_alive_(keep_alive), write_timeout_(write_timeout) {}

  awaitable<void> send(int status, std::string_view content_type, std::string body,
                       const Headers& extra) override {
    if (state_ != State::none) throw std::logic_error("response already started");
    state_ = State::sent;
    HeadWriter head;
    head.status_line(status);
    if (!content_type.empty()) head.field("Content-Type", content_type);
    add_extra(head, extra);
    if (status_has_body(status)) head.content_length(body.size());
    else body.clear();
    std::string text = head.finish();
    std::array<net::const_buffer, 2> pieces{net::buffer(text), net::buffer(body)};
    stream_.expires_after(write_timeout_);
    auto [ec, n] = co_await net::async_write(stream_, pieces, use_tuple);
    stream_.expires_never();
    if (ec) broken_ = true;
  }

  awaitable<void> start_stream(int status, std::string_view content_type, const Headers& extra) override {
    if (state_ != State::none) throw std::logic_error("response already started");
    state_ = State::streaming;
    HeadWriter head;
    head.status_line(status);
    if (!content_type.empty()) head.field("Content-Type", content_type);
    add_extra(head, extra);
    head.field("Transfer-Encoding", "chunked");
    head_ = head.finish();
    co_return;
  }

  awaitable<void> flush() override {
    if (state_ == State::streaming && !head_.empty()) co_await write_stream_bytes({}, false);
  }

  awaitable<bool> write_chunk(std::string_view data, bool last) override {
    if (state_ != State::streaming) throw std::logic_error("write_chunk outside a stream");
    if (last) state_ = State::ended;
    if (broken_) co_return false;
    if (data.empty() && !last && head_.empty()) co_return true;  // an empty chunk would end the body
    co_await write_stream_bytes(data, last);
    co_return !broken_;
  }

  awaitable<void> end_stream() override {
    if (state_ == State::ended) co_return;
    if (state_ != State::streaming) throw std::logic_error("end_stream outside a stream");
    state_ = State::ended;
    if (broken_) co_return;
    co_await write_stream_bytes({}, true);
  }

  bool responded() const override { return state_ != State::none; }
  // The connection can serve another request after this response.
  bool reusable() const { return keep_alive_ && !broken_ && (state_ == State::sent || state_ == State::ended); }

 private:
  enum class State { none, sent, streaming, ended };

  // The extra headers, then Connection: close when the connection ends after this response.
  void add_extra(HeadWriter& head, const Headers& extra) {
    for (const auto& [name, value] : extra) {
      if (iequals(name, "connection")) {
        if (iequals(value, "close")) keep_alive_ = false;
        continue;
      }
      head.field(name, value);
    }
    if (!keep_alive_) head.field("Connection", "close");
  }

  // One gathered write: the held head (if any), `data` as a chunk (if any), the last chunk (if
  // `last`).
  awaitable<void> write_stream_bytes(std::string_view data, bool last) {
    char size_line[20];
    std::size_t size_len = 0;
    if (!data.empty()) {
      auto r = std::to_chars(size_line, size_line + sizeof size_line - 2, data.size(), 16);
      r.ptr[0] = '\r';
      r.ptr[1] = '\n';
      size_len = static_cast<std::size_t>(r.ptr + 2 - size_line);
    }
    std::string_view tail = data.empty() ? (last ? "0\r\n\r\n" : "") : (last ? "\r\n0\r\n\r\n" : "\r\n");
    std::array<net::const_buffer, 4> pieces{net::buffer(head_), net::buffer(size_line, size_len),
                                            net::buffer(data.data(), data.size()), net::buffer(tail.data(), tail.size())};
    stream_.expires_after(write_timeout_);
    auto [ec, n] = co_await net::async_write(stream_, pieces, use_tuple);
    stream_.expires_never();
    head_.clear();
    if (ec) broken_ = true;
  }

  beast::tcp_stream& stream_;
  bool keep_alive_;
  std::chrono::seconds write_timeout_;
  State state_ = State::none;
  bool broken_ = false;
  std::string head_;  // a stream's head, held until its first write
};

}  // namespace

struct Server::Impl {
  struct Worker {
    net::io_context ioc{1};
    std::optional<tcp::acceptor> acceptor;
    Handler handler;
    std::unordered_set<Connection*> connections;  // touched only on this worker's thread
    std::optional<net::steady_timer> grace_timer;
    bool stopping = false;
  };

  ServerOptions options;
  HandlerFactory factory;
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t bound_port = 0;
  std::atomic<bool> stop_requested{false};
  std::optional<net::signal_set> signals;  // lives on worker 0
  std::mutex callbacks_mutex;
  std::vector<std::function<void()>> stop_callbacks;

  std::string error_body(int status, std::string_view code, std::string_view message) const {
    if (options.error_body) return options.error_body(status, code, message);
    ApiError e{status, status >= 500 ? "server_error" : "invalid_request_error", std::string(code),
               std::string(message)};
    return error_envelope(e);
  }

  void bind_all() {
    boost::system::error_code ec;
    auto address = net::ip::make_address(options.host, ec);
    if (ec) {  // a host name such as "localhost"
      tcp::resolver resolver(workers[0]->ioc);
      auto results = resolver.resolve(options.host, "", ec);
      if (ec || results.empty())
        throw std::runtime_error("cannot resolve listen host '" + options.host + "': " + ec.message());
      address = results.begin()->endpoint().address();
    }
    uint16_t port = options.port;
    if (port != 0) probe_free(address, port);
    for (size_t i = 0; i < workers.size(); ++i) {
      tcp::endpoint endpoint(address, port);
      tcp::acceptor acceptor(workers[i]->ioc);
      acceptor.open(endpoint.protocol(), ec);
      if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) acceptor.set_option(reuse_port(true), ec);
      if (!ec) acceptor.bind(endpoint, ec);
      if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
      if (ec)
        throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(port) + ": " +
                                 ec.message());
      if (i == 0) port = acceptor.local_endpoint().port();
      workers[i]->acceptor.emplace(std::move(acceptor));
    }
    bound_port = port;
  }

  // SO_REUSEPORT would let us share a port with another running server of the same user;
  // a plain bind first makes "address in use" an error as it should be.
  void probe_free(const net::ip::address& address, uint16_t port) {
    boost::system::error_code ec;
    tcp::acceptor probe(workers[0]->ioc);
    tcp::endpoint endpoint(address, port);
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(endpoint, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(port) + ": " +
                               ec.message());
  }

  awaitable<void> accept_loop(Worker& w) {
    for (;;) {
      auto [ec, socket] = co_await w.acceptor->async_accept(use_tuple);
      if (w.stopping || !w.acceptor->is_open()) co_return;
      if (ec) {  // e.g. out of file descriptors: back off briefly instead of spinning
        net::steady_timer pause(w.ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(use_tuple);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      net::co_spawn(w.ioc, session(w, std::move(socket)), net::detached);
    }
  }

  // Reads and drops what the client is still sending, so that closing does not reset the
  // connection before the client has read our error response.
  static awaitable<void> lingering_close(beast::tcp_stream& stream) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(kDrainTime);
    char sink[8192];
    size_t total = 0;
    while (total < kDrainLimit) {
      auto [rec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
      if (rec) break;
      total += n;
    }
  }

  awaitable<void> send_error(beast::tcp_stream& stream, int status, std::string_view code, std::string_view message) {
    ConnectionWriter writer(stream, false, options.idle_timeout);
    co_await writer.send(status, "application/json", error_body(status, code, message), {});
  }

  awaitable<void> session(Worker& w, tcp::socket socket) {
    Connection conn{beast::tcp_stream(std::move(socket))};
    w.connections.insert(&conn);
    try {
      co_await serve(w, conn);
    } catch (...) {
      // Nothing to tell anyone: the connection is closed below.
    }
    boost::system::error_code ec;
    conn.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    conn.stream.socket().close(ec);
    w.connections.erase(&conn);
    if (w.stopping && w.connections.empty()) net::post(w.ioc, [&w] { w.ioc.stop(); });
  }

  awaitable<void> serve(Worker& w, Connection& conn) {
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = conn.stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    beast::flat_buffer buffer;  // reused by every request on this connection
    for (;;) {
      if (w.stopping) co_return;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(kHeaderLimit);
      conn.idle = true;
      conn.stream.expires_after(options.idle_timeout);
      auto [hec, hn] = co_await bhttp::async_read_header(conn.stream, buffer, parser, use_tuple);
      conn.idle = false;
      boost::system::error_code ec = hec;
      if (!ec && !parser.is_done()) {
        // Beast reads 512 bytes at a time into a buffer every parse empties, so it never grows:
        // room for the whole body lets the rest arrive in one read instead of one per 512 bytes.
        if (auto len = parser.content_length()) buffer.reserve(buffer.size() + size_t(*len));
        auto [bec, bn] = co_await bhttp::async_read(conn.stream, buffer, parser, use_tuple);
        ec = bec;
      }
      if (ec == bhttp::error::body_limit) {
        co_await send_error(conn.stream, 413, "request_too_large", "request body too large");
        co_await lingering_close(conn.stream);
        co_return;
      }
      if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() && ec != bhttp::error::end_of_stream &&
          ec != bhttp::error::partial_message) {
        co_await send_error(conn.stream, 400, "malformed_request", "malformed HTTP request");
        co_await lingering_close(conn.stream);
        co_return;
      }
      if (ec) co_return;  // closed, reset or idle timeout
      conn.stream.expires_never();

      auto& msg = parser.get();
      Request req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      req.headers.reserve(16);
      for (const auto& field : msg) req.headers.emplace_back(field.name_string(), field.value());
      req.body = std::move(msg.body());
      req.remote = remote;

      ConnectionWriter writer(conn.stream, msg.keep_alive() && !w.stopping, options.idle_timeout);
      bool aborted = false;
      bool threw = false;
      try {
        co_await w.handler(req, writer);
      } catch (const AbortConnection&) {
        aborted = true;
      } catch (...) {
        threw = true;
      }
      if (aborted) co_return;
      if (!writer.responded()) {
        co_await writer.send(500, "application/json", error_body(500, "internal_error", "internal error"), {});
      } else if (threw) {
        co_return;
      }
      if (!writer.reusable()) co_return;
      // An idle keep-alive connection does not keep a large request's buffer.
      if (buffer.size() == 0 && buffer.capacity() > kIdleBufferCap) buffer.shrink_to_fit();
    }
  }

  void begin_stop(Worker& w) {
    w.stopping = true;
    boost::system::error_code ec;
    if (w.acceptor) w.acceptor->close(ec);
    if (&w == workers[0].get() && signals) signals->cancel(ec);
    for (Connection* c : w.connections)
      if (c->idle) c->stream.socket().cancel(ec);
    if (w.connections.empty()) {
      w.ioc.stop();
      return;
    }
    w.grace_timer.emplace(w.ioc, kStopGrace);
    w.grace_timer->async_wait([&w](boost::system::error_code) { w.ioc.stop(); });
  }
};

Server::Server(ServerOptions options, HandlerFactory factory) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->factory = std::move(factory);
  size_t n = std::max<size_t>(1, impl_->options.threads);
  for (size_t i = 0; i < n; ++i) impl_->workers.push_back(std::make_unique<Impl::Worker>());
}

Server::~Server() = default;

void Server::listen() { impl_->bind_all(); }

uint16_t Server::port() const { return impl_->bound_port; }

net::io_context& Server::worker_context(size_t index) { return impl_->workers.at(index)->ioc; }

void Server::on_stop(std::function<void()> callback) {
  std::lock_guard lock(impl_->callbacks_mutex);
  impl_->stop_callbacks.push_back(std::move(callback));
}

void Server::run() {
  auto& impl = *impl_;
  if (!impl.workers[0]->acceptor) listen();
  if (impl.options.handle_signals) {
    impl.signals.emplace(impl.workers[0]->ioc, SIGINT, SIGTERM);
    impl.signals->async_wait([this](boost::system::error_code ec, int) {
      if (!ec) stop();
    });
  }

  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto run_worker = [&](size_t index) {
    auto& w = *impl.workers[index];
    try {
      w.handler = impl.factory(w.ioc, index);
      net::co_spawn(w.ioc, impl.accept_loop(w), net::detached);
      w.ioc.run();
    } catch (...) {
      {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
      }
      stop();
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl.workers.size(); ++i) threads.emplace_back(run_worker, i);
  run_worker(0);
  for (auto& t : threads) t.join();
  impl.signals.reset();
  if (first_error) std::rethrow_exception(first_error);
}

void Server::stop() {
  auto& impl = *impl_;
  if (impl.stop_requested.exchange(true)) return;
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(impl.callbacks_mutex);
    callbacks = impl.stop_callbacks;
  }
  for (auto& cb : callbacks) cb();
  for (auto& w : impl.workers) {
    Impl::Worker* worker = w.get();
    net::post(worker->ioc, [&impl, worker] { impl.begin_stop(*worker); });
  }
}

}  // namespace kt::http
