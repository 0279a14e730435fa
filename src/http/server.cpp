#include "http/server.hpp"

#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "core/error.hpp"
#include "http/head_writer.hpp"
#include "http/server_impl.hpp"

namespace kt::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr std::chrono::seconds kStopGrace{10};  // in-flight requests get this long on stop()

using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Each connection is a file descriptor: a soft limit below the connection cap (Debian's default
// is 1024) would turn a flood into accept() failures instead of quick 503s.
void raise_descriptor_limit(size_t wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= wanted) return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, rl.rlim_max);
  setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

std::string Server::Impl::error_body(int status, std::string_view code, std::string_view message) const {
  if (options.error_body) return options.error_body(status, code, message);
  ApiError e{status, status >= 500 ? "server_error" : "invalid_request_error", std::string(code), std::string(message)};
  return error_envelope(e);
}

void Server::Impl::bind_all() {
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
void Server::Impl::probe_free(const net::ip::address& address, uint16_t port) {
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


awaitable<void> Server::Impl::accept_loop(Worker& w) {
  for (;;) {
    auto [ec, socket] = co_await w.acceptor->async_accept(use_tuple);
    if (w.stopping || !w.acceptor->is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: back off briefly instead of spinning
      net::steady_timer pause(w.ioc, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (open_connections.fetch_add(1, std::memory_order_relaxed) >= options.limits.max_connections) {
      open_connections.fetch_sub(1, std::memory_order_relaxed);
      refuse_overloaded(socket);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    net::co_spawn(w.ioc, session(w, std::move(socket)), net::detached);
  }
}

// Past the connection cap: one non-blocking write of the prepared 503 (a fresh socket's send
// buffer takes it whole), then close. Nothing waits, so the acceptor goes straight on.
void Server::Impl::refuse_overloaded(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(net::buffer(overload_answer), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

awaitable<void> Server::Impl::session(Worker& w, tcp::socket socket) {
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
  open_connections.fetch_sub(1, std::memory_order_relaxed);
  if (w.stopping && w.connections.empty()) net::post(w.ioc, [&w] { w.ioc.stop(); });
}

void Server::Impl::begin_stop(Worker& w) {
  w.stopping = true;
  if (w.routes.on_stop) {
    try {
      w.routes.on_stop();
    } catch (...) {
      // A failing callback must not keep the worker from stopping.
    }
  }
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

Server::Server(ServerOptions options, HandlerFactory factory) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->factory = std::move(factory);
  size_t n = std::max<size_t>(1, impl_->options.threads);
  for (size_t i = 0; i < n; ++i) impl_->workers.push_back(std::make_unique<Impl::Worker>());
}

Server::~Server() = default;

void Server::listen() {
  auto& impl = *impl_;
  raise_descriptor_limit(impl.options.limits.max_connections + 256);
  std::string body = impl.error_body(503, "too_many_connections", "the server has too many open connections; retry later");
  HeadWriter head;
  head.status_line(503).field("Content-Type", "application/json").field("Connection", "close").field("Retry-After", "1");
  impl.overload_answer = head.content_length(body.size()).finish() + body;
  impl.bind_all();
}

size_t Server::open_connections() const { return impl_->open_connections.load(std::memory_order_relaxed); }

uint16_t Server::port() const { return impl_->bound_port; }


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
      w.routes = impl.factory(w.ioc, index);
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
