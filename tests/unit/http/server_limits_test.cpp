// The server's protocol limits and its head hook, over real loopback sockets: what a client that
// misbehaves gets (an error envelope and a closed connection), and that the handler never runs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "loopback_server.hpp"

using namespace std::chrono_literals;
using namespace kt::http;
using kt::http::test_support::LoopbackServer;
using kt::http::test_support::RawConnection;

namespace {

// A handler that counts its calls and echoes the body's size and what the head hook admitted.
struct Counting {
  std::atomic<int> calls{0};
  Handler handler() {
    return [this](Request& req, ResponseWriter& w) -> awaitable<void> {
      ++calls;
      const auto* who = std::any_cast<std::string>(&req.admitted);
      co_await w.send(200, "text/plain", std::to_string(req.body.size()) + (who ? " " + *who : ""));
    };
  }
};

std::string status_of(const std::string& reply) { return reply.substr(0, 12); }

ServerOptions small_limits() {
  ServerOptions o;
  o.limits.body_limit = 1024;
  o.limits.header_bytes = 2048;
  o.limits.header_count = 20;
  return o;
}

// Sends `bytes` on a fresh connection and reads until the server closes it.
std::string exchange(uint16_t port, const std::string& bytes, bool* closed = nullptr) {
  RawConnection c(port);
  c.send(bytes);
  std::string reply = c.read_all();
  if (closed) *closed = c.closed();
  return reply;
}

// Refused with `status` and the envelope, the connection closed, the handler never called.
void expect_refused(const LoopbackServer& server, const Counting& counting, const std::string& bytes,
                    const std::string& status) {
  bool closed = false;
  std::string reply = exchange(server.port(), bytes, &closed);
  EXPECT_EQ(status_of(reply), "HTTP/1.1 " + status) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  EXPECT_NE(reply.find("{\"error\":{"), std::string::npos) << reply;
  EXPECT_TRUE(closed) << "the connection should be closed after " << status;
  EXPECT_EQ(counting.calls.load(), 0);
}

}  // namespace

TEST(ServerLimits, ProtocolAbuseIsRefusedAndClosed) {
  Counting counting;
  LoopbackServer server(counting.handler(), small_limits());
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 25; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  expect_refused(server, counting, many + "\r\n", "431");
  expect_refused(server, counting, "GET /" + std::string(3000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", "431");
  expect_refused(server, counting, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", "400");
  expect_refused(server, counting,
                 "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", "400");
  expect_refused(server, counting, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "400");
  expect_refused(server, counting, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -2\r\n\r\n{}", "400");
  expect_refused(server, counting, "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", "400");
  expect_refused(server, counting, "GET / HTTP/1.1\r\n\r\n", "400");
  static const char nul[] = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n";
  expect_refused(server, counting, std::string(nul, sizeof nul - 1), "400");  // refused by Beast
  expect_refused(server, counting, "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", "400");
  expect_refused(server, counting, "GET / HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n", "400");
  expect_refused(server, counting, "GET / HTTP/1.1\r\nHost: x\r\nX B: 1\r\n\r\n", "400");
  expect_refused(server, counting, "GET / HTTP/1.1\r\nHost: x\r\nX(B): 1\r\n\r\n", "400");
  expect_refused(server, counting, std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11), "400");
}

TEST(ServerLimits, BodyLimitIsDecidedFromTheHeadAlone) {
  Counting counting;
  LoopbackServer server(counting.handler(), small_limits());
  // Only the head is sent: the 413 cannot have waited for the body.
  RawConnection c(server.port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
  std::string reply = c.read_all();
  EXPECT_EQ(status_of(reply), "HTTP/1.1 413") << reply;
  EXPECT_NE(reply.find("request_too_large"), std::string::npos) << reply;
  EXPECT_TRUE(c.closed());
  // A chunked body is cut off once it passes the limit.
  std::string chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(512, 'a') + "\r\n";
  expect_refused(server, counting, chunked, "413");
}

TEST(ServerLimits, PipelinedGarbageAfterAGoodRequest) {
  Counting counting;
  LoopbackServer server(counting.handler(), small_limits());
  bool closed = false;
  std::string reply = exchange(server.port(), "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}\x16\x03garbage\r\n\r\n", &closed);
  EXPECT_EQ(status_of(reply), "HTTP/1.1 200") << reply;
  auto second = reply.find("HTTP/1.1 400");
  EXPECT_NE(second, std::string::npos) << reply;
  EXPECT_TRUE(closed);
  EXPECT_EQ(counting.calls.load(), 1);
}

TEST(ServerLimits, HeadHookAnswersWithoutReadingTheBody) {
  Counting counting;
  HeadHook hook = [](Request& req) -> std::optional<EarlyResponse> {
    if (req.path() == "/deny") return EarlyResponse{401, R"({"error":{"message":"no","type":"authentication_error","code":"x"}})", {}};
    EXPECT_TRUE(req.body.empty()) << "the hook runs before the body is read";
    req.admitted = std::string("alice");
    return std::nullopt;
  };
  LoopbackServer server(counting.handler(), small_limits(), hook);
  {  // The body is announced but never sent: the answer cannot have waited for it.
    RawConnection c(server.port());
    c.send("POST /deny HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    std::string reply = c.read_all();
    EXPECT_EQ(status_of(reply), "HTTP/1.1 401") << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << "the unread body forces a close";
    EXPECT_TRUE(c.closed());
  }
  {  // The whole body came with the head: it is skipped and the connection serves the next request.
    RawConnection c(server.port());
    c.send("POST /deny HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
           "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    std::string reply = c.read_all();
    EXPECT_EQ(status_of(reply), "HTTP/1.1 401") << reply;
    EXPECT_EQ(reply.find("Connection: close"), reply.rfind("Connection: close")) << "only the second answer closes";
    EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
    EXPECT_NE(reply.find("3 alice"), std::string::npos) << "the handler sees the body and what the hook admitted";
  }
  EXPECT_EQ(counting.calls.load(), 1);
}

TEST(ServerLimits, ExpectContinueIsAnsweredOnceTheHeadIsAccepted) {
  Counting counting;
  LoopbackServer server(counting.handler(), small_limits(), [](Request&) { return std::optional<EarlyResponse>(); });
  RawConnection c(server.port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.read_some(), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("abcd");
  std::string reply = c.read_all();
  EXPECT_EQ(status_of(reply), "HTTP/1.1 200") << reply;
  EXPECT_NE(reply.find("\r\n\r\n4"), std::string::npos) << reply;
}

// The timeouts close the connection without answering; what is checked is that it is closed,
// not when (RawConnection gives up after 5 s, far past these 200 ms).
TEST(ServerLimits, SlowHeadsAndBodiesAreClosed) {
  Counting counting;
  ServerOptions o = small_limits();
  o.limits.header_timeout = 200ms;
  o.limits.body_timeout = 200ms;
  o.limits.idle_timeout = 200ms;
  LoopbackServer server(counting.handler(), o);
  {
    RawConnection c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: x\r\n");  // the head never ends
    EXPECT_EQ(c.read_all(), "");
    EXPECT_TRUE(c.closed());
  }
  {
    RawConnection c(server.port());  // connects and says nothing
    EXPECT_EQ(c.read_all(), "");
    EXPECT_TRUE(c.closed());
  }
  {
    RawConnection c(server.port());
    c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");  // the body never ends
    EXPECT_EQ(c.read_all(), "");
    EXPECT_TRUE(c.closed());
  }
  EXPECT_EQ(counting.calls.load(), 0);
  {
    RawConnection c(server.port());  // a kept-alive connection closes once idle
    c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(c.read_all()), "HTTP/1.1 200");
    EXPECT_TRUE(c.closed());
  }
}

TEST(ServerLimits, ConnectionsPastTheCapGet503AndClose) {
  Counting counting;
  ServerOptions o;
  o.limits.max_connections = 2;
  LoopbackServer server(counting.handler(), o);
  RawConnection a(server.port()), b(server.port());
  for (auto* c : {&a, &b}) {  // an answer proves the connection was accepted and counted
    c->send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(c->read_some()), "HTTP/1.1 200");
  }
  bool closed = false;
  std::string reply = exchange(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
  EXPECT_TRUE(reply.empty() || status_of(reply) == "HTTP/1.1 503") << reply;
  if (!reply.empty()) EXPECT_NE(reply.find("too_many_connections"), std::string::npos) << reply;
  EXPECT_TRUE(closed);
  EXPECT_EQ(counting.calls.load(), 2);
  EXPECT_EQ(server.open_connections(), 2u);
}
