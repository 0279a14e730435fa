#include <gtest/gtest.h>

#include "http/head_writer.hpp"

using kt::http::HeadWriter;

TEST(HeadWriter, StatusLineFieldsAndLength) {
  std::string head = HeadWriter().status_line(402).field("Content-Type", "application/json").content_length(31).finish();
  EXPECT_EQ(head, "HTTP/1.1 402 Payment Required\r\nContent-Type: application/json\r\nContent-Length: 31\r\n\r\n");
}

TEST(HeadWriter, RequestLineDefaults) {
  EXPECT_EQ(HeadWriter().request_line("", "").finish(), "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(HeadWriter().request_line("POST", "/v1/chat/completions").field("Host", "a:1").finish(),
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a:1\r\n\r\n");
}

// A CR or LF smuggled into a name or value cannot start a new header line.
TEST(HeadWriter, LineBreaksInFieldsBecomeSpaces) {
  std::string head = HeadWriter().status_line(200).field("X-A\r\nX-Injected", "v\r\nSet-Cookie: x").finish();
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nX-A  X-Injected: v  Set-Cookie: x\r\n\r\n");
}

TEST(HeadWriter, StatusesWithoutBody) {
  EXPECT_FALSE(kt::http::status_has_body(204));
  EXPECT_FALSE(kt::http::status_has_body(304));
  EXPECT_FALSE(kt::http::status_has_body(101));
  EXPECT_TRUE(kt::http::status_has_body(200));
  EXPECT_TRUE(kt::http::status_has_body(402));
}
