// One connection's requests, in order: wait for a head, check it (HeadScanner), let the head
// hook answer or go on, read the body, run the handler. Every limit of ServerLimits is applied
// here; a refusal is the error envelope and a closed connection. A timeout closes the connection
// without an answer: beast::tcp_stream closes the socket when its deadline passes.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "http/connection_writer.hpp"
#include "http/head_scanner.hpp"
#include "http/server_impl.hpp"
#include "http/whole_message_parser.hpp"

namespace kt::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr size_t kReadSize = 4096;              // per read while waiting for a head
constexpr size_t kIdleBufferCap = 8 * 1024;
constexpr size_t kDrainLimit = 8 * 1024 * 1024;  // bytes read and dropped after a refusal
constexpr std::chrono::seconds kDrainTime{1};

std::string_view contents(const beast::flat_buffer& b) {
  return {static_cast<const char*>(b.data().data()), b.size()};
}

// Reads and drops what the client is still sending, so that closing does not reset the
// connection before the client has read our answer. Bounded in time and bytes.
awaitable<void> lingering_close(beast::tcp_stream& stream) {
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

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// A handler's AbortConnection: its last bytes as they are, then a close (a RST when asked).
awaitable<void> abort_connection(beast::tcp_stream& stream, const AbortConnection& a, std::chrono::milliseconds timeout) {
  if (!a.last_bytes.empty()) {
    stream.expires_after(timeout);
    co_await net::async_write(stream, net::buffer(a.last_bytes), use_tuple);
  }
  boost::system::error_code ec;
  if (a.reset) stream.socket().set_option(net::socket_base::linger(true, 0), ec);
  stream.socket().close(ec);
}

bool expects_continue(const WholeRequestParser& parser, const Request& req) {
  auto expect = req.header("expect");
  return parser.version() == 11 && expect && iequals(*expect, "100-continue");
}

}  // namespace

awaitable<void> Server::Impl::refuse(Connection& conn, int status, std::string_view code, std::string_view message) {
  ConnectionWriter writer(conn.stream, false, options.limits.idle_timeout);
  co_await writer.send(status, "application/json", error_body(status, code, message), {});
  co_await lingering_close(conn.stream);
}

awaitable<bool> Server::Impl::answer_early(Connection& conn, beast::flat_buffer& buffer, EarlyResponse early,
                                           bool keep_alive, bool body_pending, std::optional<uint64_t> content_length) {
  // A body that has already arrived whole is skipped and the connection kept; one still on its
  // way is not waited for: the answer says Connection: close.
  if (body_pending && content_length && buffer.size() >= *content_length) {
    buffer.consume(static_cast<size_t>(*content_length));
    body_pending = false;
  }
  ConnectionWriter writer(conn.stream, keep_alive && !body_pending, options.limits.idle_timeout);
  co_await writer.send(early.status, "application/json", std::move(early.body), early.headers);
  if (writer.reusable()) co_return true;
  if (body_pending) co_await lingering_close(conn.stream);
  co_return false;
}

awaitable<void> Server::Impl::serve(Worker& w, Connection& conn) {
  const ServerLimits& limits = options.limits;
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = conn.stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  beast::flat_buffer buffer;  // reused by every request on this connection
  for (bool first = true;; first = false) {
    if (w.stopping) co_return;
    conn.idle = true;
    // Nothing of the next request yet: a new connection has the header timeout to start one, a
    // kept-alive one the idle timeout. Closing then answers nothing: no request was made.
    bool head_deadline_set = false;
    if (buffer.size() == 0) {
      conn.stream.expires_after(first ? limits.header_timeout : limits.idle_timeout);
      head_deadline_set = first;
      auto [ec, n] = co_await conn.stream.async_read_some(buffer.prepare(kReadSize), use_tuple);
      if (ec) co_return;
      buffer.commit(n);
    }
    if (!head_deadline_set) conn.stream.expires_after(limits.header_timeout);
    HeadScanner scanner(HeadLimits{limits.header_bytes, limits.header_count});
    HeadScanner::Result scanned;
    while ((scanned = scanner.scan(contents(buffer))) == HeadScanner::Result::need_more) {
      auto [ec, n] = co_await conn.stream.async_read_some(buffer.prepare(kReadSize), use_tuple);
      if (ec) co_return;  // closed, reset, or the header timeout (the stream has closed the socket)
      buffer.commit(n);
    }
    conn.idle = false;
    if (scanned == HeadScanner::Result::refused) {
      const HeadProblem& p = scanner.problem();
      co_return co_await refuse(conn, p.status, p.code, p.message);
    }
    const auto content_length = scanner.content_length();
    if (content_length && *content_length > limits.body_limit)
      co_return co_await refuse(conn, 413, "request_too_large", "request body too large");

    // Beast parses the checked head (and later the body, chunked or not).
    buffer.consume(scanner.head_begin());
    const size_t head_size = scanner.head_end() - scanner.head_begin();
    WholeRequestParser parser;
    parser.body_limit(limits.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(head_size + 1));
    parser.eager(false);
    boost::system::error_code pec;
    size_t used = parser.put(net::const_buffer(buffer.data().data(), head_size), pec);
    if (pec || used != head_size || !parser.is_header_done())
      co_return co_await refuse(conn, 400, "malformed_request", "malformed HTTP request");
    buffer.consume(used);
    const bool keep_alive = parser.keep_alive() && !w.stopping;

    Request& req = parser.message();  // its body is read into it below
    req.remote = remote;
    if (w.routes.on_head) {
      if (auto early = w.routes.on_head(req)) {
        conn.stream.expires_never();
        if (co_await answer_early(conn, buffer, std::move(*early), keep_alive, !parser.is_done(), content_length))
          continue;
        co_return;
      }
    }

    if (!parser.is_done()) {
      if (buffer.size() == 0 && expects_continue(parser, req)) {
        conn.stream.expires_after(limits.idle_timeout);
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await net::async_write(conn.stream, net::buffer(kContinue), use_tuple);
        if (wec) co_return;
      }
      // Beast reads 512 bytes at a time into a buffer every parse empties, so it never grows:
      // room for the whole body lets the rest arrive in one read instead of one per 512 bytes.
      if (content_length) buffer.reserve(buffer.size() + static_cast<size_t>(*content_length));
      conn.stream.expires_after(limits.body_timeout);
      auto [ec, bn] = co_await bhttp::async_read(conn.stream, buffer, parser, use_tuple);
      if (ec == bhttp::error::body_limit)
        co_return co_await refuse(conn, 413, "request_too_large", "request body too large");
      if (ec && is_parse_error(ec))
        co_return co_await refuse(conn, 400, "malformed_request", "malformed HTTP request body");
      if (ec) co_return;  // closed, reset, or the body timeout (the stream has closed the socket)
    }
    conn.stream.expires_never();

    ConnectionWriter writer(conn.stream, keep_alive, limits.idle_timeout);
    if (req.method == "HEAD") writer.omit_body();
    std::optional<AbortConnection> aborted;
    bool threw = false;
    try {
      co_await w.routes.handler(req, writer);
    } catch (const AbortConnection& a) {
      aborted = a;
    } catch (...) {
      threw = true;
    }
    if (aborted) co_return co_await abort_connection(conn.stream, *aborted, limits.idle_timeout);
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

}  // namespace kt::http
