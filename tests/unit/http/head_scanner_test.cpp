// The request-head checks, without sockets: what is accepted, what is refused and why.
#include <gtest/gtest.h>

#include "http/head_scanner.hpp"

using kt::http::HeadLimits;
using kt::http::HeadScanner;
using Result = HeadScanner::Result;

namespace {

const std::string kGood = "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\n";

struct Outcome {
  Result result;
  int status = 0;
  std::string message;
};

Outcome scan_whole(const std::string& head, HeadLimits limits = {}) {
  HeadScanner s(limits);
  Result r = s.scan(head);
  return {r, r == Result::refused ? s.problem().status : 0, r == Result::refused ? std::string(s.problem().message) : ""};
}

// Refused with a 400 whose message mentions `words`.
void expect_400(const std::string& head, const std::string& words) {
  auto o = scan_whole(head);
  ASSERT_EQ(o.result, Result::refused) << head;
  EXPECT_EQ(o.status, 400) << head;
  EXPECT_NE(o.message.find(words), std::string::npos) << "[" << o.message << "] for " << head;
}

}  // namespace

TEST(HeadScanner, AcceptsAWellFormedHead) {
  HeadScanner s;
  ASSERT_EQ(s.scan(kGood + "{}"), Result::complete);
  EXPECT_EQ(s.head_begin(), 0u);
  EXPECT_EQ(s.head_end(), kGood.size());
  EXPECT_EQ(s.version(), 11);
  EXPECT_EQ(s.content_length(), 2u);
  EXPECT_FALSE(s.chunked());
}

TEST(HeadScanner, ByteByByteGivesTheSameAnswer) {
  HeadScanner s;
  for (size_t n = 1; n < kGood.size(); ++n) ASSERT_EQ(s.scan(std::string_view(kGood).substr(0, n)), Result::need_more) << n;
  ASSERT_EQ(s.scan(kGood), Result::complete);
  EXPECT_EQ(s.head_end(), kGood.size());
}

TEST(HeadScanner, SkipsEmptyLinesBeforeTheRequestLine) {
  HeadScanner s;
  ASSERT_EQ(s.scan("\r\n\r\n" + kGood), Result::complete);
  EXPECT_EQ(s.head_begin(), 4u);
  EXPECT_EQ(s.head_end(), 4 + kGood.size());
}

// Pipelined bytes after the head are the next request's business, however bad they are.
TEST(HeadScanner, LooksNoFurtherThanTheHead) {
  HeadScanner s;
  EXPECT_EQ(s.scan(kGood + "{}\x16\x03\x01 garbage \0"), Result::complete);
  EXPECT_EQ(s.head_end(), kGood.size());
}

TEST(HeadScanner, ChunkedAndHttp10) {
  HeadScanner chunked;
  ASSERT_EQ(chunked.scan("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n"), Result::complete);
  EXPECT_TRUE(chunked.chunked());
  EXPECT_FALSE(chunked.content_length());
  HeadScanner old;
  ASSERT_EQ(old.scan("GET /health HTTP/1.0\r\n\r\n"), Result::complete) << "HTTP/1.0 needs no Host";
  EXPECT_EQ(old.version(), 10);
}

TEST(HeadScanner, RefusesSmugglingShapes) {
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", "more than one Content-Length");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n", "Content-Length");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "Content-Length");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", "Content-Length");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", "Content-Length");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", "Content-Length");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
             "Content-Length together with Transfer-Encoding");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
             "Content-Length together with Transfer-Encoding");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "Transfer-Encoding");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
             "more than one Transfer-Encoding");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n Content-Length: 9\r\n\r\n", "folding");
  expect_400("POST / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tcontinued\r\n\r\n", "folding");
}

TEST(HeadScanner, RefusesBadBytesAndShapes) {
  expect_400("GET / HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n", "bare CR");
  expect_400("GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", "bare LF");
  expect_400("GET / HTTP/1.1\nHost: x\r\n\r\n", "bare LF");
  expect_400("GET / HTTP/1.1\r\nHost: x\r\n\r\r\n", "bare CR");
  expect_400("GET / HTTP/1.1\r\nHost : x\r\n\r\n", "whitespace");
  expect_400("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", "without a colon");
  expect_400("GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", "invalid header name");
  static const char nul[] = "GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n";
  expect_400(std::string(nul, sizeof nul - 1), "request line");
  expect_400("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", "request line");
  expect_400("GET / HTTP/1.1\r\n\r\n", "without a Host");
  expect_400("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host");
  expect_400("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "unsupported HTTP version");
  expect_400("GET /\r\n\r\n", "malformed request line");
  expect_400(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), "not an HTTP request");
  expect_400(std::string("\0\0\0\0", 4), "not an HTTP request");
}

// A control byte inside a field value, a space inside a name: Beast's to refuse (the server
// answers 400 then); the scanner looks at line ends, line starts and the framing fields.
TEST(HeadScanner, LeavesBytesInsideValuesToBeast) {
  static const char nul[] = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\x7f\r\nX B: c\r\n\r\n";
  EXPECT_EQ(scan_whole(std::string(nul, sizeof nul - 1)).result, Result::complete);
}

TEST(HeadScanner, RefusesBinaryGarbageAtItsFirstByte) {
  HeadScanner s;
  EXPECT_EQ(s.scan("\x16"), Result::refused) << "a TLS record needs no second byte to be refused";
  EXPECT_EQ(s.scan("\x16\x03"), Result::refused) << "and stays refused";
}

TEST(HeadScanner, CapsFieldCountAndSize) {
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 99; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(scan_whole(head + "\r\n").result, Result::complete) << "100 fields are allowed";
  auto over = scan_whole(head + "X-Last: v\r\n\r\n");
  EXPECT_EQ(over.result, Result::refused);
  EXPECT_EQ(over.status, 431);

  std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a');
  HeadScanner s(HeadLimits{16 * 1024, 100});
  EXPECT_EQ(s.scan(big), Result::refused) << "refused before the head ends";
  EXPECT_EQ(s.problem().status, 431);
  std::string long_path = "GET /" + std::string(17000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(scan_whole(long_path).status, 431);
  EXPECT_EQ(scan_whole(long_path, HeadLimits{32 * 1024, 100}).result, Result::complete);
}
