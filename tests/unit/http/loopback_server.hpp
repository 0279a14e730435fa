#pragma once
// Test support: a real Server on a loopback port, running on its own thread, and a blocking
// raw-socket client for what a well-behaved client would never send.
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>

#include "http/server.hpp"

namespace kt::http::test_support {

class LoopbackServer {
 public:
  explicit LoopbackServer(Handler handler, ServerOptions options = {}, HeadHook head = {})
      : server_(std::move(options), [handler, head](boost::asio::io_context&, size_t) { return Routes(handler, head); }) {
    server_.listen();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  Url url() const { return *Url::parse("http://127.0.0.1:" + std::to_string(server_.port())); }
  uint16_t port() const { return server_.port(); }
  size_t open_connections() const { return server_.open_connections(); }

 private:
  Server server_;
  std::thread thread_;
};

// A blocking TCP connection whose reads give up after 5 s (a test never hangs on a server
// that fails to close).
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(std::string_view bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
  }
  // Everything until the server closes (or 5 s pass: `closed` tells which).
  std::string read_all() {
    std::string out;
    boost::system::error_code ec;
    boost::asio::read(socket_, boost::asio::dynamic_buffer(out), ec);
    closed_ = ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
    return out;
  }
  // What one read gives (at least one byte unless the server closed).
  std::string read_some() {
    char buf[65536];
    boost::system::error_code ec;
    size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
    if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) closed_ = true;
    return std::string(buf, n);
  }
  bool closed() const { return closed_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  bool closed_ = false;
};

}  // namespace kt::http::test_support
