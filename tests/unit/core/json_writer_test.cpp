// JsonWriter and error envelope: output is checked textually and by parsing it back with Boost.JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "core/money.hpp"

namespace kt {
namespace {

boost::json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "invalid JSON: " << text << " (" << ec.message() << ")";
  return v;
}

TEST(JsonWriter, FlatObject) {
  JsonWriter w;
  w.begin_object().field("a", 1).field("b", "x").field("c", true).key("d").null().end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":"x","c":true,"d":null})");
}

TEST(JsonWriter, NestingAndCommas) {
  JsonWriter w;
  w.begin_object();
  w.key("list").begin_array().value(1).value(int64_t{-2}).value(uint64_t{18446744073709551615ull});
  w.begin_object().field("k", false).end_object();
  w.begin_array().end_array();
  w.end_array();
  w.key("empty").begin_object().end_object();
  w.key("inner").begin_object().key("deep").begin_array().value("z").end_array().end_object();
  w.end_object();
  EXPECT_EQ(w.str(),
            R"({"list":[1,-2,18446744073709551615,{"k":false},[]],"empty":{},"inner":{"deep":["z"]}})");
  auto v = parse_json(w.str());
  EXPECT_EQ(v.at("list").as_array().size(), 5u);
  EXPECT_EQ(v.at("inner").at("deep").at(0).as_string(), "z");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlChars) {
  std::string nasty = "q\"b\\n\nr\rt\tb\bf\f";
  nasty += '\x01';
  nasty += '\x1f';
  nasty += '\0';
  nasty += "end";
  JsonWriter w;
  w.begin_object().field("s", nasty).end_object();
  EXPECT_EQ(w.str(), R"({"s":"q\"b\\n\nr\rt\tb\bf\f\u0001\u001f\u0000end"})");
  auto v = parse_json(w.str());
  EXPECT_EQ(std::string(v.at("s").as_string()), nasty);
}

TEST(JsonWriter, EscapesKeysToo) {
  JsonWriter w;  // a key that is not a literal of ours (literal keys are written as they are)
  w.begin_object().field(std::string("a\"b"), 1).end_object();
  EXPECT_EQ(w.str(), R"({"a\"b":1})");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  JsonWriter w;
  w.begin_array().value("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").value("bad\xff\xc3").end_array();
  EXPECT_EQ(w.str(), "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\"bad\\ufffd\\ufffd\"]");
  auto v = parse_json(w.str());
  EXPECT_EQ(std::string(v.at(1).as_string()), "bad\xef\xbf\xbd\xef\xbf\xbd");
  // Overlong encoding of '/' and a UTF-16 surrogate are not valid UTF-8 either.
  JsonWriter w2;
  w2.value("\xc0\xaf\xed\xa0\x80");
  parse_json(w2.str());
  EXPECT_EQ(w2.str().find('\xc0'), std::string::npos);
}

TEST(JsonWriter, MoneyIsAnExactDecimalNumber) {
  JsonWriter w;
  w.begin_object()
      .field("cost", Money::from_nanos(17'100))
      .field("budget", *Money::parse("500.00"))
      .field("neg", Money::from_nanos(-1))
      .field("zero", Money::zero())
      .end_object();
  EXPECT_EQ(w.str(), R"({"cost":0.0000171,"budget":500,"neg":-0.000000001,"zero":0})");
  auto v = parse_json(w.str());
  EXPECT_TRUE(v.at("budget").is_int64());
}

TEST(JsonWriter, PercentAndRaw) {
  JsonWriter w;
  w.begin_object();
  w.key("usage").percent(3'420);
  w.key("none").percent(0);
  w.key("half").percent(50'000'000'000);
  w.key("event").raw(R"({"id":"evt_1","n":[1,2]})");
  w.key("after").value("x");
  w.end_object();
  EXPECT_EQ(w.str(), R"({"usage":0.00000342,"none":0,"half":50,"event":{"id":"evt_1","n":[1,2]},"after":"x"})");
  parse_json(w.str());
}

TEST(JsonWriter, RawInsideArraysGetsCommas) {
  JsonWriter w;
  w.begin_array().raw("1").raw("{}").value(2).end_array();
  EXPECT_EQ(w.str(), "[1,{},2]");
}

TEST(JsonWriter, TakeMovesTheOutput) {
  JsonWriter w;
  w.begin_array().value(7).end_array();
  std::string s = w.take();
  EXPECT_EQ(s, "[7]");
}

// The word-at-a-time check must agree with the byte rule for every byte at every place in a word
// and in the tail, next to neighbours that could borrow into it (0x00, 0x20, 0x7f).
TEST(NeedsNoEscaping, EveryByteAtEveryPosition) {
  for (int len : {1, 7, 8, 9, 16, 19}) {
    for (int at = 0; at < len; ++at) {
      for (int b = 0; b < 256; ++b) {
        for (char fill : {'a', ' ', '\x7f'}) {
          std::string s(static_cast<size_t>(len), fill);
          s[static_cast<size_t>(at)] = static_cast<char>(b);
          bool plain = b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
          ASSERT_EQ(needs_no_escaping(s), plain) << "len " << len << " at " << at << " byte " << b;
        }
      }
    }
  }
  EXPECT_TRUE(needs_no_escaping(""));
}

// The document is written in place past its length: growth from an empty writer, a reserve that is
// too small, escaping in the middle and str() before more writes must all keep every byte.
TEST(JsonWriter, GrowsAndEscapesInPlace) {
  for (size_t reserve : {size_t{0}, size_t{1}, size_t{16}, size_t{4096}}) {
    JsonWriter w = reserve ? JsonWriter(reserve) : JsonWriter();
    std::string long_plain(1000, 'x'), expected = "[";
    w.begin_array();
    for (int i = 0; i < 40; ++i) {
      w.value(long_plain).value("a\nb\"c").value(int64_t{-i}).value(Money::from_nanos(1500000000));
      expected += (i ? "," : "") + ("\"" + long_plain + "\"") + ",\"a\\nb\\\"c\"," + std::to_string(-i) + ",1.5";
      if (i == 20) EXPECT_EQ(w.str(), expected);  // a look in the middle, then more
    }
    w.begin_object().key(std::string_view("k\"")).value(true).key("n").null().end_object().end_array();
    expected += ",{\"k\\\"\":true,\"n\":null}]";
    EXPECT_EQ(w.str(), expected);
    JsonWriter moved = std::move(w);
    EXPECT_EQ(moved.take(), expected);
    w = JsonWriter();
    w.begin_array().value(1).end_array();  // a moved-from writer starts empty
    EXPECT_EQ(w.str(), "[1]");
  }
}

TEST(AppendJsonString, Standalone) {
  std::string out = "x=";
  append_json_string(out, "a\"b");
  EXPECT_EQ(out, "x=\"a\\\"b\"");
}

TEST(ErrorEnvelope, Shape) {
  ApiError e{402, "budget_exceeded", "insufficient_balance", "Budget exceeded for consumer group: marketing"};
  std::string body = error_envelope(e, [](JsonWriter& w) {
    w.key("details").begin_object();
    w.field("team", "marketing").field("budget", *Money::parse("0.01")).field("estimated_cost", *Money::parse("0.05"));
    w.end_object();
  });
  auto v = parse_json(body);
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.as_object().size(), 1u);
  const auto& err = v.at("error").as_object();
  EXPECT_EQ(err.at("message").as_string(), "Budget exceeded for consumer group: marketing");
  EXPECT_EQ(err.at("type").as_string(), "budget_exceeded");
  EXPECT_EQ(err.at("code").as_string(), "insufficient_balance");
  EXPECT_EQ(err.at("details").at("team").as_string(), "marketing");
  EXPECT_NE(body.find(R"("budget":0.01)"), std::string::npos);
  EXPECT_NE(body.find(R"("estimated_cost":0.05)"), std::string::npos);
  EXPECT_EQ(body.find("402"), std::string::npos);  // the status is HTTP, not part of the body
}

TEST(ErrorEnvelope, WithoutExtraAndEscaped) {
  std::string body = error_envelope(bad_request("invalid_json", "bad \"json\"\n"));
  auto v = parse_json(body);
  const auto& err = v.at("error").as_object();
  EXPECT_EQ(err.size(), 3u);
  EXPECT_EQ(err.at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(err.at("code").as_string(), "invalid_json");
  EXPECT_EQ(err.at("message").as_string(), "bad \"json\"\n");
}

// log_wire fuzzer (UBSan): an empty string_view that points nowhere (a default one) went to
// memcpy as a null pointer.
TEST(JsonWriter, AnEmptyViewThatPointsNowhereIsAnEmptyString) {
  JsonWriter w;
  w.begin_object().field("id", std::string_view()).field(std::string_view(), "v").end_object();
  EXPECT_EQ(w.take(), R"({"id":"","":"v"})");
}

TEST(ErrorEnvelope, Helpers) {
  ApiError u = unauthorized("Invalid consumer key");
  EXPECT_EQ(u.status, 401);
  EXPECT_EQ(u.type, "authentication_error");
  EXPECT_EQ(u.code, "invalid_api_key");
  ApiError n = not_found("no such wallet");
  EXPECT_EQ(n.status, 404);
  EXPECT_EQ(n.type, "not_found_error");
  ApiError b = bad_request("x", "y");
  EXPECT_EQ(b.status, 400);
  EXPECT_EQ(b.message, "y");
}

}  // namespace
}  // namespace kt
