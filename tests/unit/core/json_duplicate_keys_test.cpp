// check_json_keys: duplicate keys at any depth with their path, and the validator agreeing with
// Boost.JSON on what is JSON at all.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "core/json_duplicate_keys.hpp"

namespace kt {
namespace {

using Status = JsonKeyCheck::Status;

std::string duplicate_at(std::string_view json) {
  JsonKeyCheck r = check_json_keys(json);
  EXPECT_EQ(r.status, Status::duplicate) << json;
  return r.path;
}

TEST(JsonDuplicateKeys, DistinctKeysPass) {
  EXPECT_TRUE(check_json_keys(R"({"model":"a","messages":[{"role":"user","content":"hi"}],"n":1})").ok());
  EXPECT_TRUE(check_json_keys(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]})").ok());  // same key, other objects
  EXPECT_TRUE(check_json_keys("  {}  ").ok());
  EXPECT_TRUE(check_json_keys("[]").ok());
  EXPECT_TRUE(check_json_keys(R"("just a string")").ok());
  EXPECT_TRUE(check_json_keys("-0.5e+10").ok());
}

TEST(JsonDuplicateKeys, TopLevelDuplicateNamesTheKey) {
  EXPECT_EQ(duplicate_at(R"({"model":"gpt-4o-mini","model":"gpt-4o"})"), "model");
  EXPECT_EQ(duplicate_at(R"({"stream":false,"x":1,"stream":true})"), "stream");
}

TEST(JsonDuplicateKeys, NestedDuplicateNamesThePath) {
  EXPECT_EQ(duplicate_at(R"({"messages":[{"role":"user","content":"a","content":"b"}]})"), "messages[0].content");
  EXPECT_EQ(duplicate_at(R"({"messages":[{"role":"user"},{"role":"a","role":"b"}]})"), "messages[1].role");
  EXPECT_EQ(duplicate_at(R"({"stream_options":{"include_usage":true,"include_usage":false}})"),
            "stream_options.include_usage");
  EXPECT_EQ(duplicate_at(R"([[1],[{"a":{"b":[0,{"c":1,"c":2}]}}]])"), "[1][0].a.b[1].c");
}

TEST(JsonDuplicateKeys, KeysCompareAfterUnescaping) {
  EXPECT_EQ(duplicate_at(R"({"model":"a","mod\u0065l":"b"})"), "model");
  EXPECT_EQ(duplicate_at(R"({"a\/b":1,"a/b":2})"), "a/b");
  // U+1F600 as a surrogate pair and as raw UTF-8 are the same key.
  EXPECT_EQ(duplicate_at("{\"\\ud83d\\ude00\":1,\"\xF0\x9F\x98\x80\":2}"), "\xF0\x9F\x98\x80");
  EXPECT_TRUE(check_json_keys(R"({"a\"b":1,"a\\b":2})").ok());
}

TEST(JsonDuplicateKeys, ClosedObjectsForgetTheirKeys) {
  // The inner object's "k" must not count against the outer one's.
  EXPECT_TRUE(check_json_keys(R"({"o":{"k":1},"k":2})").ok());
  EXPECT_EQ(duplicate_at(R"({"o":{"k":1},"k":2,"o":3})"), "o");
}

TEST(JsonDuplicateKeys, LargeObjectsUseTheHashSetAndStillFindTheDuplicate) {
  std::string json = "{";
  for (int i = 0; i < 5000; ++i) json += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_TRUE(check_json_keys(json.substr(0, json.size() - 1) + "}").ok());
  EXPECT_EQ(duplicate_at(json + "\"k17\":0}"), "k17");
  EXPECT_EQ(duplicate_at(json + "\"k4999\":0}"), "k4999");
  // A duplicate among the first keys, found before the set takes over.
  EXPECT_EQ(duplicate_at(R"({"a":1,"b":2,"a":3})"), "a");
}

// The sets of wide objects are the thread's own and stacked like the objects: a wide object inside
// a wide object, siblings reusing a closed one's set, the empty key and an escaped twin.
TEST(JsonDuplicateKeys, WideObjectsNestedAndInSequenceKeepTheirOwnKeys) {
  auto wide = [](const std::string& prefix, const std::string& inner) {
    std::string json = "{";
    for (int i = 0; i < 40; ++i) json += "\"" + prefix + std::to_string(i) + "\":1,";
    return json + "\"\":" + inner + "}";
  };
  std::string nested = wide("a", wide("a", "0"));  // the same names one level down are not duplicates
  EXPECT_TRUE(check_json_keys(nested).ok());
  EXPECT_TRUE(check_json_keys("[" + nested + "," + nested + "," + wide("b", "[]") + "]").ok());
  std::string twin = wide("a", wide("b", "0"));
  twin.insert(twin.size() - 1, ",\"b3\":2");  // the outer object does not hold the inner one's keys
  EXPECT_TRUE(check_json_keys(twin).ok());
  EXPECT_EQ(duplicate_at(wide("a", "0").insert(1, "\"\\u0061\\u0037\":0,")), "a7");
  EXPECT_EQ(duplicate_at("[" + wide("a", "0") + "," + wide("a", "{\"x\":1,\"x\":2}") + "]"), "[1]..x");
  EXPECT_EQ(duplicate_at(wide("a", "0").insert(1, "\"\":0,")), "");
}

TEST(JsonDuplicateKeys, DepthIsBounded) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(check_json_keys(deep).status, Status::malformed);
  std::string ok(100, '[');
  ok += std::string(100, ']');
  EXPECT_TRUE(check_json_keys(ok).ok());
}

// The validator must say "malformed" exactly where a strict parser does: a body one parser calls
// invalid must not reach a lenient one that could read another structure in it.
TEST(JsonDuplicateKeys, ValidityAgreesWithBoostJson) {
  const char* cases[] = {
      R"({"a":1})", R"({"a":1,})", R"({"a" 1})", R"({"a":})", R"({,})", R"([1,])", R"([1 2])", R"({"a":[1,2})",
      R"({"a":1}})", R"({"a":1} x)", R"({"a":01})", R"({"a":-})", R"({"a":1.})", R"({"a":.5})", R"({"a":1e})",
      R"({"a":1e+5})", R"({"a":-0})", R"({"a":tru})", R"({"a":truex})", R"({"a":nul})", R"({"a":"\x"})",
      R"({"a":"\u12g4"})", R"({"a":"\u12"})", "{\"a\":\"raw\ttab\"}", "{\"a\":\"raw\nline\"}", R"({a:1})",
      R"({'a':1})", R"({"a":NaN})", R"({"a":Infinity})", R"({"a":+1})", "", "   ", R"({"a":"unterminated})",
      R"({"a":1 , "b" : [ true , false , null ] })", "{\"a\":\"\xC3\xA9\"}", R"(["\"", "\\", "\/"])",
      R"({"":1})", R"({"a":[{}, [], "" , 0]})"};
  for (const char* c : cases) {
    boost::system::error_code ec;
    boost::json::parse(c, ec);
    JsonKeyCheck r = check_json_keys(c);
    EXPECT_EQ(r.status == Status::malformed, bool(ec)) << "case: " << c;
    EXPECT_EQ(!is_json(c), bool(ec)) << "case: " << c;
  }
}

// is_json checks the grammar alone, to the end: a repeated key is no answer to it, and text after
// one is still read (check_json_keys stops at the repeat).
TEST(JsonDuplicateKeys, IsJsonIgnoresRepeatsButNotWhatFollowsThem) {
  EXPECT_TRUE(is_json(R"({"a":1,"a":2})"));
  EXPECT_EQ(check_json_keys(R"({"a":1,"a":2,})").status, Status::duplicate);
  EXPECT_FALSE(is_json(R"({"a":1,"a":2,})"));
  EXPECT_TRUE(is_json("[1e309]"));  // grammatical, whatever a parser can hold
}

// route_chat fuzzer: numbers the gateway's parsers (simdjson) cannot hold and lone surrogates are
// grammatical, and flagged so that the gateway refuses them before it prices the request.
TEST(JsonDuplicateKeys, WhatSimdjsonRefusesIsFlagged) {
  for (const char* c : {"[1e309]", "[-1e309]", "[0.1e310]", "[18446744073709551616]", "[-9223372036854775809]",
                        R"({"a":[123456789012345678901234567890]})", R"(["\udddd"])", R"(["a\ud83dz"])",
                        R"(["\ud83d\u0041"])", R"({"\udc00":1})"}) {
    JsonKeyCheck r = check_json_keys(c);
    EXPECT_EQ(r.status, Status::ok) << c;
    EXPECT_TRUE(r.simdjson_refuses) << c;
  }
  for (const char* c : {"[1e-400]", "[1.7976931348623157e308]", "[18446744073709551615]", "[-9223372036854775808]",
                        "[0]", "[-0.0]", "[1000000000000000000000e-10]", R"(["\ud83d\ude00 \u00e9"])"})
    EXPECT_FALSE(check_json_keys(c).simdjson_refuses) << c;
  // Without an exponent, up to 308 digits before the point always fit a double (no strtod needed).
  EXPECT_FALSE(check_json_keys("[" + std::string(300, '9') + ".5]").simdjson_refuses);
  EXPECT_FALSE(check_json_keys("[-" + std::string(307, '9') + ".5]").simdjson_refuses);
  EXPECT_TRUE(check_json_keys("[" + std::string(310, '9') + ".5]").simdjson_refuses);
}

}  // namespace
}  // namespace kt
