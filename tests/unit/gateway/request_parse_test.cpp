// What the priced routes accept (phase_parse.cpp, route_request.cpp): regressions the fuzzers
// of tests/fuzz found.
#include <gtest/gtest.h>

#include "gateway/pipeline/phases.hpp"

namespace {

using namespace kt;
using providers::Route;

// The refusal's error code, or "" when the body is accepted.
std::string parse(Route route, std::string body) {
  http::Request req;
  req.method = "POST";
  req.body = std::move(body);
  gateway::RequestContext ctx(req);
  ctx.route_kind = route;
  auto refused = gateway::parse_route_request(ctx);
  if (!refused) return "";
  EXPECT_EQ(refused->status, 400);
  auto code = refused->body.find("\"code\":\"");
  return code == std::string::npos ? "?" : refused->body.substr(code + 8, refused->body.find('"', code + 8) - code - 8);
}

const char* kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}])";

TEST(RequestParse, ChatAcceptsAPlainRequest) { EXPECT_EQ(parse(Route::chat, std::string(kChat) + "}"), ""); }

// route_chat fuzzer: On Demand checked only the values it read, so a body that is not JSON past
// them was priced, reserved and forwarded (an Anthropic target's translator then threw: a 500).
TEST(RequestParse, ChatRefusesABodyThatIsNotJsonPastTheFieldsItReads) {
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"stream_options":{"other":tru`}})"), "invalid_json");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"x":[1,}})"), "invalid_json");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"temperature":01})"), "invalid_json");
  EXPECT_EQ(parse(Route::chat, R"([1,2])"), "invalid_json");
  // A number no parser of the gateway can hold (route_chat fuzzer, after the merge of main).
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"top_p":1e309})"), "invalid_json");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"seed":123456789012345678901234567890})"), "invalid_json");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"max_tokens":9223372036854775808})"), "max_tokens_too_large");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"user":"\udddd"})"), "invalid_json");
}

// route_* fuzzers (the model the gateway prices is the one the upstream reads): a key given twice
// was read from its first copy here and from its last by the upstream, e.g. priced as a cheap model
// and served by a dear one, or reserved for 1 output token and answered with 100,000.
TEST(RequestParse, EveryRouteRefusesAKeyGivenTwice) {
  EXPECT_EQ(parse(Route::chat, R"({"model":"gpt-4o-mini","model":"o1-pro","messages":[{"role":"user","content":"hi"}]})"),
            "duplicate_key");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"max_tokens":1,"max_tokens":100000})"), "duplicate_key");
  EXPECT_EQ(parse(Route::chat, R"({"model":"m","messages":[{"role":"user","content":"a","content":"b"}]})"), "duplicate_key");
  EXPECT_EQ(parse(Route::completions, R"({"model":"m","prompt":"p","max_tokens":1,"max_tokens":9})"), "duplicate_key");
  EXPECT_EQ(parse(Route::embeddings, R"({"model":"m","input":"a","model":"n"})"), "duplicate_key");
  EXPECT_EQ(parse(Route::responses, R"({"model":"m","input":[{"role":"user","content":"a","content":"b"}]})"), "duplicate_key");
  EXPECT_EQ(parse(Route::messages, R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"system":"a","system":"b"})"),
            "duplicate_key");
  // The same key in different objects is fine, and so is a large object of distinct keys.
  EXPECT_EQ(parse(Route::chat, R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]})"), "");
  std::string many = R"({"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{)";
  for (int i = 0; i < 100; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  EXPECT_EQ(parse(Route::chat, many + "}}"), "");
  EXPECT_EQ(parse(Route::chat, many + ",\"k42\":2}}"), "duplicate_key");
}

TEST(RequestParse, ChatCapsAndChoicesMustBeIntegers) {
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"max_tokens":1.5})"), "invalid_field");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"max_completion_tokens":0})"), "invalid_field");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"n":2.5})"), "invalid_field");
  EXPECT_EQ(parse(Route::chat, std::string(kChat) + R"(,"max_tokens":null,"n":3})"), "");
}

}  // namespace
