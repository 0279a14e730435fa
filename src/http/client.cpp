#include "http/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <array>
#include <vector>

#include "http/head_writer.hpp"
#include "http/whole_message_parser.hpp"

namespace kt::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr uint64_t kBodyLimit = 64ull * 1024 * 1024;
constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr size_t kStreamPiece = 16 * 1024;

// Classifies a transport error; `connecting` makes refused/unreachable a connect error.
ClientError to_client_error(const error_code& ec, const std::string& where) {
  using Kind = ClientError::Kind;
  std::string what = where + ": " + ec.message();
  if (ec == beast::error::timeout || ec == net::error::timed_out) return {Kind::timeout, what};
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::broken_pipe ||
      ec == net::error::connection_aborted || ec == net::error::not_connected ||
      ec == net::error::operation_aborted || ec == ssl::error::stream_truncated)
    return {Kind::closed, what};
  if (ec.category() == net::error::get_ssl_category()) return {Kind::tls, what};
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) return {Kind::protocol, what};
  return {Kind::closed, what};
}

constexpr size_t kReadRoom = 16 * 1024;

struct PooledConnection {
  std::string origin_key;
  std::unique_ptr<beast::tcp_stream> tcp;                    // plain HTTP, or
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;  // HTTPS
  beast::flat_buffer buffer;                                  // bytes read past the last response
  Clock::time_point idle_since;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
  template <class F>
  auto with_stream(F&& f) {
    if (tls) return f(*tls);
    return f(*tcp);
  }
};
using ConnectionPtr = std::unique_ptr<PooledConnection>;

// Idle keep-alive connections of one io_context. Not thread-safe by design: one per thread.
class ConnectionCache {
 public:
  ConnectionCache(net::io_context& ioc, ClientOptions options) : ioc_(ioc), options_(std::move(options)) {}

  net::io_context& ioc() { return ioc_; }
  const ClientOptions& options() const { return options_; }

  ConnectionPtr take_idle(const std::string& key) {
    auto now = Clock::now();
    std::erase_if(idle_, [&](const ConnectionPtr& c) { return now - c->idle_since > options_.idle_keepalive; });
    for (size_t i = idle_.size(); i-- > 0;) {
      if (idle_[i]->origin_key != key) continue;
      ConnectionPtr c = std::move(idle_[i]);
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
      return c;
    }
    return nullptr;
  }

  void give_back(ConnectionPtr c) {
    if (c->buffer.size() != 0) return;  // unexpected bytes after the response: not reusable
    c->lowest().expires_never();
    c->idle_since = Clock::now();
    size_t same = 0;
    for (const auto& i : idle_) same += i->origin_key == c->origin_key;
    if (same >= options_.max_idle_per_origin) {
      auto oldest = std::find_if(idle_.begin(), idle_.end(), [&](const ConnectionPtr& i) { return i->origin_key == c->origin_key; });
      if (oldest != idle_.end()) idle_.erase(oldest);
    }
    idle_.push_back(std::move(c));
  }

  ssl::context& tls_context() {
    if (!tls_) {
      tls_.emplace(ssl::context::tls_client);
      tls_->set_default_verify_paths();
      if (!options_.ca_file.empty()) tls_->load_verify_file(options_.ca_file);
      tls_->set_verify_mode(ssl::verify_peer);
    }
    return *tls_;
  }

  awaitable<ConnectionPtr> connect(const Url& origin, const std::string& key, Clock::time_point deadline) {
    using namespace net::experimental::awaitable_operators;
    auto connect_deadline = std::min(deadline, Clock::now() + options_.connect_timeout);
    std::string where = "connect " + origin.origin();
    tcp::resolver::results_type endpoints;
    error_code ec;
    auto address = net::ip::make_address(origin.host, ec);
    if (!ec) {
      endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, origin.port), origin.host,
                                                      std::to_string(origin.port));
    } else {
      tcp::resolver resolver(ioc_);
      net::steady_timer timer(ioc_, connect_deadline);
      auto first = co_await (resolver.async_resolve(origin.host, std::to_string(origin.port), use_tuple) ||
                             timer.async_wait(use_tuple));
      if (first.index() == 1) throw ClientError(ClientError::Kind::timeout, where + ": name resolution timed out");
      auto [rec, results] = std::get<0>(first);
      if (rec) throw ClientError(ClientError::Kind::connect, where + ": " + rec.message());
      endpoints = results;
    }
    beast::tcp_stream stream(ioc_);
    stream.expires_at(connect_deadline);
    auto [cec, ep] = co_await stream.async_connect(endpoints, use_tuple);
    if (cec == beast::error::timeout) throw ClientError(ClientError::Kind::timeout, where + ": connect timed out");
    if (cec) throw ClientError(ClientError::Kind::connect, where + ": " + cec.message());
    stream.socket().set_option(tcp::no_delay(true), ec);

    auto conn = std::make_unique<PooledConnection>();
    conn->origin_key = key;
    // Beast reads max(512, free capacity) bytes at a time into a buffer every parse empties, so
    // an unreserved buffer never grows past 512: a 1 KB answer took three reads, an SSE stream or
    // a ledger batch's answer one read per 512 bytes. A pooled connection keeps this room.
    conn->buffer.reserve(kReadRoom);
    if (!origin.tls()) {
      conn->tcp = std::make_unique<beast::tcp_stream>(std::move(stream));
      co_return conn;
    }
    conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(stream), tls_context());
    if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), origin.host.c_str()))
      throw ClientError(ClientError::Kind::tls, where + ": cannot set SNI host name");
    conn->tls->set_verify_callback(ssl::host_name_verification(origin.host));
    conn->lowest().expires_at(deadline);
    auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, use_tuple);
    if (hec == beast::error::timeout) throw ClientError(ClientError::Kind::timeout, where + ": TLS handshake timed out");
    if (hec) throw ClientError(ClientError::Kind::tls, where + ": TLS handshake failed: " + hec.message());
    co_return conn;
  }

 private:
  net::io_context& ioc_;
  ClientOptions options_;
  std::vector<ConnectionPtr> idle_;  // small: a linear scan beats a map here
  std::optional<ssl::context> tls_;
};

// A request as it goes on the wire: its head as flat text and its body, written in one go.
struct OutgoingRequest {
  std::string head, body;
  bool head_method = false;  // a HEAD request: the answer has no body to read
  std::string where;         // "POST http://host:port", for errors
};

OutgoingRequest build_request(const Url& origin, ClientRequest& req) {
  OutgoingRequest out;
  std::string_view method = req.method.empty() ? std::string_view("GET") : std::string_view(req.method);
  HeadWriter head;
  head.request_line(method, req.target);
  std::string host = origin.host.find(':') != std::string::npos ? "[" + origin.host + "]" : origin.host;
  if (origin.port != (origin.tls() ? 443 : 80)) host += ":" + std::to_string(origin.port);
  head.field("Host", host);
  bool has_content_type = false;
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
    if (iequals(name, "content-type")) has_content_type = true;
    head.field(name, value);
  }
  if (!has_content_type && !req.body.empty()) head.field("Content-Type", "application/json");
  // As Beast did: a body, or a method that takes one, gets a Content-Length (0 for an empty POST).
  bool takes_body = !(method == "GET" || method == "HEAD" || method == "DELETE" || method == "OPTIONS");
  if (!req.body.empty() || takes_body) head.content_length(req.body.size());
  out.head = head.finish();
  out.body = std::move(req.body);
  out.head_method = method == "HEAD";
  out.where = std::string(method) + " " + origin.origin();
  return out;
}

Headers copy_headers(const bhttp::fields& fields) {
  Headers out;
  out.reserve(16);
  for (const auto& f : fields) out.emplace_back(f.name_string(), f.value());
  return out;
}

// Sends `msg` and reads the response head (and, for a WholeResponseParser, the body) into
// `parser`, on a pooled connection; retries once on a fresh connection when a reused one turns
// out to have been closed by the server before answering.
template <class Parser, class MakeParser>
awaitable<ConnectionPtr> exchange(ConnectionCache& cache, const Url& origin, const OutgoingRequest& msg,
                                  Clock::time_point deadline, std::unique_ptr<Parser>& parser,
                                  MakeParser make_parser, bool head_only) {
  const std::string key = origin.origin();
  const std::string& where = msg.where;
  const std::array<net::const_buffer, 2> pieces{net::buffer(msg.head), net::buffer(msg.body)};
  for (int attempt = 0;; ++attempt) {
    ConnectionPtr conn = cache.take_idle(key);
    bool reused = conn != nullptr;
    if (!conn) conn = co_await cache.connect(origin, key, deadline);
    conn->lowest().expires_at(deadline);
    auto [wec, wn] = co_await conn->with_stream([&](auto& s) { return net::async_write(s, pieces, use_tuple); });
    parser = make_parser();
    error_code rec;
    if (!wec) {
      auto [ec, n] = co_await conn->with_stream([&](auto& s) {
        return head_only ? bhttp::async_read_header(s, conn->buffer, *parser, use_tuple)
                         : bhttp::async_read(s, conn->buffer, *parser, use_tuple);
      });
      rec = ec;
    }
    error_code failure = wec ? wec : rec;
    if (!failure) co_return conn;
    bool stale = reused && attempt == 0 && failure != beast::error::timeout && !parser->got_some();
    if (stale) continue;
    throw to_client_error(failure, where);
  }
}

class PooledResponseStream final : public ResponseStream {
 public:
  using Parser = bhttp::response_parser<bhttp::buffer_body>;
  PooledResponseStream(std::weak_ptr<ConnectionCache> cache, ConnectionPtr conn, std::unique_ptr<Parser> parser,
                       std::string where)
      : cache_(std::move(cache)), conn_(std::move(conn)), parser_(std::move(parser)), where_(std::move(where)) {
    status_ = static_cast<int>(parser_->get().result_int());
    headers_ = copy_headers(parser_->get().base());
    if (parser_->is_done()) finish();
  }

  int status() const override { return status_; }
  const Headers& headers() const override { return headers_; }
  bool done() const override { return done_; }
  bool buffered() const override { return done_ || (conn_ && conn_->buffer.size() > 0); }

  awaitable<std::optional<std::string>> read_some(std::chrono::milliseconds idle_timeout) override {
    co_return co_await next_piece(Clock::now() + idle_timeout, true);
  }

  awaitable<std::string> read_all(std::chrono::milliseconds timeout) override {
    auto deadline = Clock::now() + timeout;
    std::string body;
    while (auto piece = co_await next_piece(deadline, false)) {
      if (body.size() + piece->size() > kBodyLimit)
        throw ClientError(ClientError::Kind::protocol, where_ + ": response body too large");
      body += *piece;
    }
    co_return body;
  }

 private:
  // A piece of body as soon as the parser has one (an SSE event is forwarded when it arrives).
  awaitable<std::optional<std::string>> next_piece(Clock::time_point deadline, bool idle_deadline) {
    char piece[kStreamPiece];
    for (;;) {
      if (done_ || !conn_) co_return std::nullopt;
      auto& body = parser_->get().body();
      body.data = piece;
      body.size = sizeof piece;
      conn_->lowest().expires_at(deadline);
      auto [ec, n] = co_await conn_->with_stream(
          [&](auto& s) { return bhttp::async_read_some(s, conn_->buffer, *parser_, use_tuple); });
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        conn_.reset();
        throw to_client_error(ec, where_);
      }
      size_t got = sizeof piece - body.size;
      if (parser_->is_done()) finish();
      if (got > 0) co_return std::string(piece, got);
    }
  }

  void finish() {
    done_ = true;
    bool keep = parser_->get().keep_alive();
    if (!keep || !conn_) return;
    if (auto cache = cache_.lock()) cache->give_back(std::move(conn_));
  }

  std::weak_ptr<ConnectionCache> cache_;
  ConnectionPtr conn_;  // closed on destruction unless handed back to the pool
  std::unique_ptr<Parser> parser_;
  std::string where_;
  int status_ = 0;
  Headers headers_;
  bool done_ = false;
};

}  // namespace

struct ClientPool::Impl : ConnectionCache {
  using ConnectionCache::ConnectionCache;

  static awaitable<ClientResponse> request(std::shared_ptr<Impl> self, Url origin, ClientRequest req,
                                           std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    auto msg = build_request(origin, req);
    bool head = msg.head_method;
    std::unique_ptr<WholeResponseParser> parser;
    auto conn = co_await exchange(*self, origin, msg, deadline, parser, [head] {
      auto p = std::make_unique<WholeResponseParser>();
      p->body_limit(kBodyLimit);
      p->header_limit(kHeaderLimit);
      p->skip(head);
      return p;
    }, false);
    if (parser->keep_alive()) self->give_back(std::move(conn));
    co_return std::move(parser->message());
  }

  static awaitable<std::unique_ptr<ResponseStream>> stream(std::shared_ptr<Impl> self, Url origin,
                                                           ClientRequest req, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    auto msg = build_request(origin, req);
    bool head = msg.head_method;
    using Parser = PooledResponseStream::Parser;
    std::unique_ptr<Parser> parser;
    auto conn = co_await exchange(*self, origin, msg, deadline, parser, [head] {
      auto p = std::make_unique<Parser>();
      p->body_limit(boost::none);  // a stream may run long; read_all applies its own limit
      p->header_limit(kHeaderLimit);
      p->skip(head);
      return p;
    }, true);
    std::weak_ptr<ConnectionCache> cache = std::static_pointer_cast<ConnectionCache>(self);
    co_return std::make_unique<PooledResponseStream>(std::move(cache), std::move(conn), std::move(parser), msg.where);
  }
};

ClientPool::ClientPool(net::io_context& ioc, ClientOptions options)
    : impl_(std::make_shared<Impl>(ioc, std::move(options))) {}

ClientPool::~ClientPool() = default;

awaitable<ClientResponse> ClientPool::request(const Url& origin, ClientRequest req, std::chrono::milliseconds timeout) {
  return Impl::request(impl_, origin, std::move(req), timeout);
}

awaitable<std::unique_ptr<ResponseStream>> ClientPool::stream(const Url& origin, ClientRequest req,
                                                              std::chrono::milliseconds timeout) {
  return Impl::stream(impl_, origin, std::move(req), timeout);
}

ClientResponse blocking_request(const Url& origin, ClientRequest req, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  ClientPool pool(ioc);
  auto result = net::co_spawn(ioc, pool.request(origin, std::move(req), timeout), net::use_future);
  ioc.run();
  return result.get();
}

}  // namespace kt::http
