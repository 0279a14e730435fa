// The writer a request's attempts answer through (attempt_writer.hpp): a failure is held back
// while another attempt may mend it, every answer carries the request id and the headers asked
// for, and only a whole answer is recorded for replay.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/pipeline/attempt_writer.hpp"

namespace kt::gateway {
namespace {

using boost::asio::awaitable;

// What the client was sent, call by call.
class ClientSpy final : public http::ResponseWriter {
 public:
  struct Sent {
    int status = 0;
    std::string content_type, body;
    http::Headers headers;
  };
  std::vector<Sent> sent;
  std::string stream_body;
  bool ended = false, gone = false;

  awaitable<void> send(int status, std::string_view ct, std::string body, const http::Headers& extra) override {
    sent.push_back({status, std::string(ct), std::move(body), extra});
    co_return;
  }
  awaitable<void> start_stream(int status, std::string_view ct, const http::Headers& extra) override {
    sent.push_back({status, std::string(ct), "", extra});
    co_return;
  }
  awaitable<void> flush() override { co_return; }
  awaitable<bool> write_chunk(std::string_view data, bool last) override {
    if (gone) co_return false;
    stream_body.append(data);
    ended = ended || last;
    co_return true;
  }
  awaitable<void> end_stream() override {
    ended = true;
    co_return;
  }
  bool responded() const override { return !sent.empty(); }
};

template <class F>
void run(F f) {
  boost::asio::io_context ioc;
  boost::asio::co_spawn(ioc, f(), [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  ioc.run();
}

std::string header(const http::Headers& h, std::string_view name) {
  return std::string(http::find_header(h, name).value_or("<none>"));
}

TEST(AttemptWriter, HoldsA5xxWhileAnotherAttemptMayMendItThenSendsTheNextAnswer) {
  ClientSpy client;
  AttemptWriter out(client, "req_1", true);
  run([&]() -> awaitable<void> {
    out.hold_failures(true);
    co_await out.send(502, "application/json", R"({"error":"first"})");
    EXPECT_TRUE(out.holding());
    EXPECT_TRUE(out.responded());  // a phase must not answer over the held failure
    EXPECT_TRUE(client.sent.empty());
    out.drop_held();
    co_await out.send(200, "application/json", R"({"ok":true})", {{"x-kt-cost-usd", "0.0000171"}});
  });
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0].status, 200);
  EXPECT_EQ(client.sent[0].body, R"({"ok":true})");
  EXPECT_EQ(header(client.sent[0].headers, "X-Kt-Request-Id"), "req_1");
  EXPECT_EQ(header(client.sent[0].headers, "x-kt-cost-usd"), "0.0000171");
  auto rec = out.recorded();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, 200);
  EXPECT_EQ(rec->body, R"({"ok":true})");
}

TEST(AttemptWriter, TheLastFailureIsFlushedWithItsOwnHeaders) {
  ClientSpy client;
  AttemptWriter out(client, "req_2", false);
  out.also_send({{"x-ratelimit-remaining-requests", "9"}});
  run([&]() -> awaitable<void> {
    out.hold_failures(true);
    co_await out.send(503, "application/json", "{}", {{"X-Kt-Request-Id", "req_2"}, {"Retry-After", "1"}});
    co_await out.flush_held();
  });
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0].status, 503);
  EXPECT_FALSE(out.holding());
  const auto& h = client.sent[0].headers;
  EXPECT_EQ(h.size(), 3u);  // the request id once, its Retry-After, the rate headers
  EXPECT_EQ(header(h, "Retry-After"), "1");
  EXPECT_EQ(header(h, "x-ratelimit-remaining-requests"), "9");
  EXPECT_FALSE(out.recorded());  // not asked to record
}

TEST(AttemptWriter, A4xxOrAnyFailureWithoutRetriesGoesOutAtOnceAndIsNotReplayedAsSuccess) {
  ClientSpy client;
  AttemptWriter out(client, "req_3", true);
  run([&]() -> awaitable<void> {
    out.hold_failures(true);
    co_await out.send(429, "application/json", R"({"error":{}})");
  });
  EXPECT_FALSE(out.holding());
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0].status, 429);
  ASSERT_TRUE(out.recorded());  // recorded as sent; remember_answer keeps only a 2xx
  EXPECT_EQ(out.recorded()->status, 429);

  ClientSpy other;
  AttemptWriter once(other, "req_4", false);
  run([&]() -> awaitable<void> { co_await once.send(500, "application/json", "{}"); });  // hold_failures off
  ASSERT_EQ(other.sent.size(), 1u);
  EXPECT_EQ(other.sent[0].status, 500);
}

TEST(AttemptWriter, AStreamIsRecordedOnlyWhenItRanToItsEnd) {
  ClientSpy client;
  AttemptWriter out(client, "req_5", true);
  run([&]() -> awaitable<void> {
    co_await out.start_stream(200, "text/event-stream");
    const bool first = co_await out.write_chunk("data: {\"a\":1}\n\n");
    EXPECT_TRUE(first);
    EXPECT_FALSE(out.recorded());  // not whole yet
    const bool last = co_await out.write_chunk("data: [DONE]\n\n", true);
    EXPECT_TRUE(last);
  });
  auto rec = out.recorded();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->content_type, "text/event-stream");
  EXPECT_EQ(rec->body, "data: {\"a\":1}\n\ndata: [DONE]\n\n");
  EXPECT_EQ(header(client.sent[0].headers, "X-Kt-Request-Id"), "req_5");

  ClientSpy leaving;
  AttemptWriter cut(leaving, "req_6", true);
  run([&]() -> awaitable<void> {
    co_await cut.start_stream(200, "text/event-stream");
    const bool first = co_await cut.write_chunk("data: {\"a\":1}\n\n");
    EXPECT_TRUE(first);
    leaving.gone = true;
    const bool last = co_await cut.write_chunk("data: [DONE]\n\n", true);
    EXPECT_FALSE(last);
    co_await cut.end_stream();
  });
  EXPECT_FALSE(cut.recorded());  // the client left: what it got is not a whole answer
}

}  // namespace
}  // namespace kt::gateway
