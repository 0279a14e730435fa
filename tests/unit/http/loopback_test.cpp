// A real server and client over loopback: no mocks between them.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "http/client.hpp"
#include "loopback_server.hpp"

namespace net = boost::asio;
using namespace std::chrono_literals;
using namespace kt::http;
using kt::http::test_support::LoopbackServer;
using Clock = std::chrono::steady_clock;

namespace {

// Runs a client coroutine to completion on a private io_context.
template <class F>
auto run_client(F make) {
  net::io_context ioc;
  ClientPool pool(ioc);
  auto result = net::co_spawn(ioc, make(pool, ioc), net::use_future);
  ioc.run();
  return result.get();
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  net::steady_timer t(co_await net::this_coro::executor, d);
  co_await t.async_wait(net::use_awaitable);
}

ClientRequest post(std::string target, std::string body) {
  ClientRequest r;
  r.method = "POST";
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST(Loopback, JsonRoundTripReusesTheConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  std::vector<std::string> seen;
  LoopbackServer server([&](Request& req, ResponseWriter& w) -> awaitable<void> {
    {
      std::lock_guard lock(mu);
      remotes.insert(req.remote);
      seen.push_back(req.method + " " + req.target + " " + std::string(req.header("content-type").value_or("-")) +
                     " " + req.body);
    }
    Headers extra;
    extra.emplace_back("X-Test", "yes");
    co_await w.send(200, "application/json", "{\"echo\":" + std::to_string(req.body.size()) + "}", extra);
  });
  auto statuses = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i) {
      auto res = co_await pool.request(server.url(), post("/v1/echo?i=" + std::to_string(i), "{\"n\":1}"), 2s);
      out.push_back(std::to_string(res.status) + " " + res.body + " " +
                    std::string(find_header(res.headers, "x-test").value_or("")));
    }
    co_return out;
  });
  ASSERT_EQ(statuses.size(), 3u);
  for (auto& s : statuses) EXPECT_EQ(s, "200 {\"echo\":7} yes");
  EXPECT_EQ(remotes.size(), 1u) << "keep-alive connection should be reused";
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "POST /v1/echo?i=0 application/json {\"n\":1}");
}

TEST(Loopback, BodyOverLimitGets413Envelope) {
  ServerOptions options;
  options.limits.body_limit = 1024;
  std::atomic<int> handled{0};
  LoopbackServer server(
      [&](Request&, ResponseWriter& w) -> awaitable<void> {
        ++handled;
        co_await w.send(200, "text/plain", "ok");
      },
      options);
  auto res = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<ClientResponse> {
    co_return co_await pool.request(server.url(), post("/v1/x", std::string(20000, 'a')), 2s);
  });
  EXPECT_EQ(res.status, 413);
  EXPECT_NE(res.body.find("\"request_too_large\""), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("\"invalid_request_error\""), std::string::npos) << res.body;
  EXPECT_EQ(handled.load(), 0);
}

TEST(Loopback, HandlerFailuresBecome500WithoutDetails) {
  LoopbackServer server([&](Request& req, ResponseWriter& w) -> awaitable<void> {
    if (req.path() == "/throw") throw std::runtime_error("secret database password");
    if (req.path() == "/abort") throw AbortConnection();
    co_return;  // "/silent": never responds
  });
  auto results = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    ClientRequest get;
    get.method = "GET";
    get.target = "/throw";
    auto a = co_await pool.request(server.url(), get, 2s);
    out.push_back(std::to_string(a.status) + " " + a.body);
    get.target = "/silent";
    auto b = co_await pool.request(server.url(), get, 2s);
    out.push_back(std::to_string(b.status));
    get.target = "/abort";
    try {
      co_await pool.request(server.url(), get, 2s);
      out.push_back("no error");
    } catch (const ClientError& e) {
      out.push_back(e.kind == ClientError::Kind::closed ? "closed" : "other");
    }
    co_return out;
  });
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].substr(0, 4), "500 ");
  EXPECT_NE(results[0].find("internal error"), std::string::npos);
  EXPECT_EQ(results[0].find("secret"), std::string::npos);
  EXPECT_EQ(results[1], "500");
  EXPECT_EQ(results[2], "closed");
}

TEST(Loopback, MalformedHttpGets400AndClose) {
  LoopbackServer server([](Request&, ResponseWriter& w) -> awaitable<void> { co_await w.send(200, "text/plain", "ok"); });
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect({net::ip::make_address("127.0.0.1"), server.port()});
  std::string junk = "THIS IS NOT HTTP\x01\x02\r\n\r\n";
  net::write(sock, net::buffer(junk));
  std::string reply;
  boost::system::error_code ec;
  net::read(sock, net::dynamic_buffer(reply), ec);  // until the server closes
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 400") << reply;
  EXPECT_NE(reply.find("invalid_request_error"), std::string::npos);
}

TEST(Loopback, StreamDeliversChunksAsTheyAreWritten) {
  std::atomic<int64_t> second_written_at{0};
  LoopbackServer server([&](Request& req, ResponseWriter& w) -> awaitable<void> {
    if (req.path() == "/v1/again") {
      co_await w.send(200, "application/json", "{}");
      co_return;
    }
    co_await w.start_stream(200, "text/event-stream");
    co_await w.write_chunk("data: one\n\n");
    co_await sleep_for(200ms);
    second_written_at = Clock::now().time_since_epoch().count();
    co_await w.write_chunk("data: two\n\n");
    co_await w.end_stream();
  });
  struct Seen {
    std::vector<std::string> pieces;
    int64_t first_at = 0;
    int status = 0;
    std::string after;
  };
  auto seen = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<Seen> {
    Seen s;
    auto stream = co_await pool.stream(server.url(), post("/v1/chat/completions", "{}"), 2s);
    s.status = stream->status();
    while (auto piece = co_await stream->read_some(2000ms)) {
      if (s.pieces.empty()) s.first_at = Clock::now().time_since_epoch().count();
      s.pieces.push_back(*piece);
    }
    ClientRequest again = post("/v1/again", "{}");
    auto res = co_await pool.request(server.url(), again, 2s);  // reuses the finished stream's connection
    s.after = std::to_string(res.status);
    co_return s;
  });
  EXPECT_EQ(seen.status, 200);
  std::string all;
  for (auto& p : seen.pieces) all += p;
  EXPECT_EQ(all, "data: one\n\ndata: two\n\n");
  ASSERT_GE(seen.pieces.size(), 2u);
  EXPECT_EQ(seen.pieces[0], "data: one\n\n");
  EXPECT_LT(seen.first_at, second_written_at.load()) << "first chunk must arrive before the second is written";
  EXPECT_EQ(seen.after, "200");
}

TEST(Loopback, WriteChunkReturnsFalseWhenClientIsGone) {
  std::promise<bool> outcome;
  LoopbackServer server([&](Request&, ResponseWriter& w) -> awaitable<void> {
    co_await w.start_stream(200, "text/event-stream");
    bool ok = true;
    for (int i = 0; i < 300 && ok; ++i) {
      ok = co_await w.write_chunk("data: tick\n\n");
      co_await sleep_for(5ms);
    }
    outcome.set_value(!ok);
  });
  run_client([&](ClientPool& pool, net::io_context&) -> awaitable<int> {
    auto stream = co_await pool.stream(server.url(), post("/v1/s", "{}"), 2s);
    auto first = co_await stream->read_some(2000ms);
    co_return first ? 1 : 0;  // the stream is dropped here: the connection closes
  });
  auto fut = outcome.get_future();
  ASSERT_EQ(fut.wait_for(2s), std::future_status::ready);
  EXPECT_TRUE(fut.get()) << "write_chunk should report the client has gone";
}

// A stream whose events are all at hand leaves in one write: head, chunk and end together.
TEST(Loopback, ShortStreamIsOneWrite) {
  LoopbackServer server([](Request&, ResponseWriter& w) -> awaitable<void> {
    co_await w.start_stream(200, "text/event-stream");
    co_await w.write_chunk("data: all\n\n", true);
    co_await w.end_stream();  // a no-op after the last chunk
  });
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect({net::ip::make_address("127.0.0.1"), server.port()});
  std::string request = "POST /v1/s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
  net::write(sock, net::buffer(request));
  char buf[4096];
  size_t n = sock.read_some(net::buffer(buf));  // one read: everything was sent at once
  std::string reply(buf, n);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200") << reply;
  EXPECT_NE(reply.find("Transfer-Encoding: chunked"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\r\n\r\nb\r\ndata: all\n\n\r\n0\r\n\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.substr(reply.size() - 5), "0\r\n\r\n") << reply;
}

// flush() sends the head alone: the client sees the status while the first event is not ready.
TEST(Loopback, FlushSendsTheHeadBeforeAnyChunk) {
  std::promise<void> head_seen;
  auto head_seen_future = head_seen.get_future().share();
  LoopbackServer server([&](Request&, ResponseWriter& w) -> awaitable<void> {
    co_await w.start_stream(200, "text/event-stream");
    co_await w.flush();
    for (int i = 0; i < 200 && head_seen_future.wait_for(0s) != std::future_status::ready; ++i) co_await sleep_for(10ms);
    co_await w.write_chunk("data: late\n\n");
    co_await w.end_stream();
  });
  auto got = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<std::string> {
    auto stream = co_await pool.stream(server.url(), post("/v1/s", "{}"), 2s);
    std::string all = std::to_string(stream->status()) + ":";
    head_seen.set_value();
    while (auto piece = co_await stream->read_some(2000ms)) all += *piece;
    co_return all;
  });
  EXPECT_EQ(got, "200:data: late\n\n");
}

TEST(Loopback, ConnectRefusedIsConnectError) {
  uint16_t port;
  {
    net::io_context ioc;
    net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto url = *Url::parse("http://127.0.0.1:" + std::to_string(port));
  try {
    blocking_request(url, post("/x", "{}"), 1s);
    FAIL() << "expected ClientError";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind, ClientError::Kind::connect) << e.what();
  }
}

TEST(Loopback, SlowServerIsTimeoutError) {
  LoopbackServer server([](Request&, ResponseWriter& w) -> awaitable<void> {
    co_await sleep_for(400ms);
    co_await w.send(200, "text/plain", "late");
  });
  auto start = Clock::now();
  try {
    blocking_request(server.url(), post("/x", "{}"), 100ms);
    FAIL() << "expected ClientError";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind, ClientError::Kind::timeout) << e.what();
  }
  EXPECT_LT(Clock::now() - start, 300ms);
}

TEST(Loopback, StaleIdleConnectionIsRetried) {
  std::atomic<int> calls{0};
  std::mutex mu;
  std::set<std::string> remotes;
  LoopbackServer server([&](Request& req, ResponseWriter& w) -> awaitable<void> {
    ++calls;
    {
      std::lock_guard lock(mu);
      remotes.insert(req.remote);
    }
    // A keep-alive answer, then the server drops the connection: the client has pooled it.
    co_await w.send(200, "text/plain", "ok");
    throw AbortConnection();
  });
  auto bodies = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<std::string> {
    auto a = co_await pool.request(server.url(), post("/a", "{}"), 2s);
    co_await sleep_for(20ms);
    auto b = co_await pool.request(server.url(), post("/b", "{}"), 2s);
    co_return a.body + b.body;
  });
  EXPECT_EQ(bodies, "okok");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(remotes.size(), 2u) << "the second request needed a fresh connection";
}

// What a broken upstream does (the mock's [mock:garbage], [mock:short_body], [mock:reset_after])
// and how the client names it: the gateway's 502 code comes from that kind.
TEST(Loopback, BrokenPeersAreToldApart) {
  LoopbackServer server([&](Request& req, ResponseWriter&) -> awaitable<void> {
    if (req.path() == "/garbage") throw AbortConnection("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    if (req.path() == "/short") throw AbortConnection("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\":");
    throw AbortConnection("", true);
  });
  auto kinds = run_client([&](ClientPool& pool, net::io_context&) -> awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const char* path : {"/garbage", "/short", "/reset"}) {
      try {
        co_await pool.request(server.url(), post(path, "{}"), 2s);
        out.push_back("no error");
      } catch (const ClientError& e) {
        out.push_back(e.kind == ClientError::Kind::protocol ? "protocol"
                      : e.kind == ClientError::Kind::closed ? "closed"
                                                            : "other");
      }
    }
    co_return out;
  });
  EXPECT_EQ(kinds, (std::vector<std::string>{"protocol", "closed", "closed"}));
  // A reset is a reset (RST), not a FIN.
  test_support::RawConnection raw(server.port());
  raw.send("POST /reset HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  boost::system::error_code ec;
  char byte;
  net::ip::tcp::socket& s = raw.socket();
  s.read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::connection_reset) << ec.message();
}

TEST(Server, ListenOnTakenPortThrows) {
  LoopbackServer first([](Request&, ResponseWriter& w) -> awaitable<void> { co_await w.send(200, "text/plain", "ok"); });
  ServerOptions options;
  options.port = first.port();
  Server second(options, [](net::io_context&, size_t) -> Handler {
    return [](Request&, ResponseWriter& w) -> awaitable<void> { co_await w.send(200, "text/plain", "ok"); };
  });
  EXPECT_THROW(second.listen(), std::runtime_error);
}

TEST(Server, SeveralWorkersShareThePort) {
  ServerOptions options;
  options.threads = 2;
  std::atomic<int> calls{0};
  LoopbackServer server(
      [&](Request&, ResponseWriter& w) -> awaitable<void> {
        ++calls;
        co_await w.send(200, "text/plain", "ok");
      },
      options);
  for (int i = 0; i < 4; ++i) {
    ClientRequest get;
    get.method = "GET";
    get.target = "/";
    EXPECT_EQ(blocking_request(server.url(), get, 1s).status, 200);
  }
  EXPECT_EQ(calls.load(), 4);
}
