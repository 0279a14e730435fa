#include <gtest/gtest.h>

#include "http/types.hpp"

using kt::http::Request;
using kt::http::Url;

TEST(Url, ParsesHostPortAndBasePath) {
  auto u = Url::parse("http://127.0.0.1:18080/v1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 18080);
  EXPECT_EQ(u->base_path, "/v1");
  EXPECT_FALSE(u->tls());
  EXPECT_EQ(u->origin(), "http://127.0.0.1:18080");
  EXPECT_EQ(u->join("/chat/completions"), "/v1/chat/completions");
}

TEST(Url, DefaultPortsAndTrailingSlash) {
  auto https = Url::parse("https://api.openai.com/v1/");
  ASSERT_TRUE(https);
  EXPECT_EQ(https->port, 443);
  EXPECT_TRUE(https->tls());
  EXPECT_EQ(https->base_path, "/v1");
  EXPECT_EQ(https->origin(), "https://api.openai.com:443");
  auto http = Url::parse("HTTP://Example.COM");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->port, 80);
  EXPECT_EQ(http->host, "example.com");
  EXPECT_EQ(http->base_path, "");
  EXPECT_EQ(http->join("/x"), "/x");
  auto v6 = Url::parse("http://[::1]:9000/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->base_path, "");
}

TEST(Url, RejectsOtherSchemesAndBadPorts) {
  EXPECT_FALSE(Url::parse("ftp://example.com"));
  EXPECT_FALSE(Url::parse("example.com:80"));
  EXPECT_FALSE(Url::parse("http://"));
  EXPECT_FALSE(Url::parse("http://host:99999"));
  EXPECT_FALSE(Url::parse("http://host:12ab"));
  EXPECT_FALSE(Url::parse("http://user:pw@host"));
}

TEST(RequestQuery, DecodesPercentAndPlus) {
  Request r;
  r.target = "/v1/wallets/balance?team_id=team%2Fa&name=a+b%20c&empty=&flag&bad=%zz";
  EXPECT_EQ(r.path(), "/v1/wallets/balance");
  EXPECT_EQ(r.query("team_id"), "team/a");
  EXPECT_EQ(r.query("name"), "a b c");
  EXPECT_EQ(r.query("empty"), "");
  EXPECT_EQ(r.query("flag"), "");
  EXPECT_EQ(r.query("bad"), "%zz");
  EXPECT_FALSE(r.query("missing"));
  Request plain;
  plain.target = "/health";
  EXPECT_EQ(plain.path(), "/health");
  EXPECT_FALSE(plain.query("x"));
}

TEST(Headers, FindIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Api-Key", "k"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(kt::http::find_header(r.headers, "X-API-KEY"), "k");
  EXPECT_FALSE(r.header("authorization"));
}
