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

// What each route's parser reads for pricing and usage: the model, the output cap in the route's
// own field, the choices, streaming and whether the client asked for usage in the stream; an
// input-only route (embeddings) has no output to hold.
struct Parsed {
  http::Request req;
  gateway::RequestContext ctx{req};
  Parsed(Route route, std::string body) {
    req.method = "POST";
    req.body = std::move(body);
    ctx.route_kind = route;
    refused = gateway::parse_route_request(ctx).has_value();
  }
  // Accepted, with what the pricing phases read.
  void expect_read(const char* model, std::optional<int64_t> cap, int64_t choices, bool stream) const {
    ASSERT_FALSE(refused);
    EXPECT_EQ(ctx.model, model);
    EXPECT_EQ(ctx.max_tokens, cap);
    EXPECT_EQ(ctx.choices, choices);
    EXPECT_EQ(ctx.stream, stream);
  }
  bool refused = false;
};

TEST(RequestParse, ChatReadsModelTheLargerOfItsTwoCapsChoicesAndStreamUsage) {
  Parsed p(Route::chat, std::string(kChat) +
                            R"(,"max_tokens":120,"max_completion_tokens":300,"n":3,"stream":true,"stream_options":{"include_usage":false}})");
  p.expect_read("gpt-4o-mini", 300, 3, true);  // either cap may be honoured: the worst case is held
  EXPECT_TRUE(p.ctx.has_stream_options);
  EXPECT_FALSE(p.ctx.client_wants_usage);
  EXPECT_FALSE(p.ctx.input_only);
  ASSERT_EQ(p.ctx.messages.size(), 1u);
  EXPECT_EQ(p.ctx.messages[0].content, "hi");
}

TEST(RequestParse, CompletionsReadsMaxTokensChoicesAndStreamUsage) {
  Parsed p(Route::completions,
           R"({"model":"gpt-3.5-turbo-instruct","prompt":["a","b"],"max_tokens":77,"n":2,"stream":true,"stream_options":{"include_usage":true},"user":"u1"})");
  p.expect_read("gpt-3.5-turbo-instruct", 77, 2, true);
  EXPECT_TRUE(p.ctx.client_wants_usage);
  EXPECT_TRUE(p.ctx.plain_prompt);
  EXPECT_FALSE(p.ctx.input_only);
  EXPECT_EQ(p.ctx.body_user, "u1");
}

TEST(RequestParse, EmbeddingsIsInputOnlyWithNoOutputCap) {
  Parsed p(Route::embeddings, R"({"model":"text-embedding-3-small","input":["one","two"],"max_tokens":50})");
  p.expect_read("text-embedding-3-small", std::nullopt, 1, false);  // max_tokens is not this route's
  EXPECT_TRUE(p.ctx.input_only);
}

TEST(RequestParse, ResponsesReadsMaxOutputTokensNotMaxTokens) {
  Parsed p(Route::responses,
           R"({"model":"gpt-4o","instructions":"be brief","input":[{"role":"user","content":[{"type":"input_text","text":"hello"}]}],"max_output_tokens":64,"max_tokens":9999,"stream":true})");
  p.expect_read("gpt-4o", 64, 1, true);
  ASSERT_EQ(p.ctx.messages.size(), 2u);
  EXPECT_EQ(p.ctx.messages[0].role, "system");
  EXPECT_EQ(p.ctx.messages[1].content, "hello");
  EXPECT_EQ(parse(Route::responses, R"({"model":"gpt-4o","input":"x","max_output_tokens":0})"), "invalid_field");
}

TEST(RequestParse, MessagesRequiresMaxTokensAndReadsItWithTheSystemPrompt) {
  Parsed p(Route::messages,
           R"({"model":"claude-3-5-haiku","system":[{"type":"text","text":"sys"}],"messages":[{"role":"user","content":"x"}],"max_tokens":512,"stream":false})");
  p.expect_read("claude-3-5-haiku", 512, 1, false);
  ASSERT_EQ(p.ctx.messages.size(), 2u);
  EXPECT_EQ(p.ctx.messages[0].content, "sys");
  EXPECT_EQ(parse(Route::messages, R"({"model":"m","messages":[{"role":"user","content":"x"}]})"), "missing_field");
}

}  // namespace
