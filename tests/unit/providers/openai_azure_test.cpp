#include <gtest/gtest.h>

#include "providers/azure_openai/azure_openai_provider.hpp"
#include "test_support.hpp"

namespace kt::providers {
namespace {

TEST(Routes, PathsMapToRoutes) {
  EXPECT_EQ(route_of_path("/v1/chat/completions"), Route::chat);
  EXPECT_EQ(route_of_path("/chat/completions"), Route::chat);
  EXPECT_EQ(route_of_path("/v1/embeddings"), Route::embeddings);
  EXPECT_EQ(route_of_path("/v1/completions"), Route::completions);
  EXPECT_EQ(route_of_path("/v1/responses"), Route::responses);
  EXPECT_EQ(route_of_path("/v1/messages"), Route::messages);
  EXPECT_FALSE(route_of_path("/v1/audio/speech"));
  EXPECT_FALSE(route_of_path("/v1/chat/completions/x"));
  EXPECT_EQ(route_path(Route::responses), "/v1/responses");
}

TEST(OpenAiProvider, EachRouteGoesToItsPathWithTheBodyUnchanged) {
  auto p = make_provider("openai");
  auto t = target_at("http://127.0.0.1:9/v1", "sk-1");
  RouteInfo info;
  for (auto [route, path] : {std::pair{Route::chat, "/v1/chat/completions"}, {Route::completions, "/v1/completions"},
                             {Route::embeddings, "/v1/embeddings"}, {Route::responses, "/v1/responses"}}) {
    info.route = route;
    auto req = p->build_request(t, info, "{\"x\":1}");
    EXPECT_EQ(req.target, path);
    EXPECT_EQ(req.body, "{\"x\":1}");
    EXPECT_EQ(http::find_header(req.headers, "authorization").value_or(""), "Bearer sk-1");
  }
  EXPECT_FALSE(p->supports(Route::messages));
}

TEST(OpenAiProvider, ResponsesAnswerUsageAndText) {
  auto p = make_provider("openai");
  RouteInfo info;
  info.route = Route::responses;
  std::string body =
      R"({"id":"resp_1","object":"response","output":[{"type":"reasoning","summary":[]},{"type":"message","role":"assistant",)"
      R"("content":[{"type":"output_text","text":"Hi!","annotations":[]}]}],"usage":{"input_tokens":20,)"
      R"("input_tokens_details":{"cached_tokens":5},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":8},"total_tokens":32}})";
  auto r = p->read_response(info, body);
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.text, "Hi!");
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->prompt_tokens, 20);
  EXPECT_EQ(r.usage->cached_tokens, 5);
  EXPECT_EQ(r.usage->completion_tokens, 12);  // reasoning is inside output_tokens, not added again
  EXPECT_EQ(r.usage->reasoning_tokens, 8);
}

TEST(OpenAiProvider, EmbeddingsUsageHasNoCompletion) {
  RouteInfo info;
  info.route = Route::embeddings;
  auto r = make_provider("openai")->read_response(info, R"({"data":[],"usage":{"prompt_tokens":7,"total_tokens":7}})");
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->prompt_tokens, 7);
  EXPECT_EQ(r.usage->completion_tokens, 0);
}

TEST(AzureOpenAiProvider, DeploymentUrlApiVersionAndApiKeyHeader) {
  auto p = make_provider("azure_openai");
  auto t = target_at("https://res.openai.azure.com", "az-key");
  t.config.provider = "azure_openai";
  t.config.deployment = "default-dep";
  t.config.deployments["gpt-4o"] = "gpt4o prod";
  t.config.api_version = "2024-06-01";
  RouteInfo info;
  info.model = "gpt-4o";
  auto req = p->build_request(t, info, "{}");
  EXPECT_EQ(req.target, "/openai/deployments/gpt4o%20prod/chat/completions?api-version=2024-06-01");
  EXPECT_EQ(http::find_header(req.headers, "api-key").value_or(""), "az-key");
  EXPECT_FALSE(http::find_header(req.headers, "authorization"));
  info.model = "gpt-4o-mini";
  info.route = Route::embeddings;
  EXPECT_EQ(p->build_request(t, info, "{}").target, "/openai/deployments/default-dep/embeddings?api-version=2024-06-01");
  t.config.deployment.reset();
  t.config.api_version.reset();
  EXPECT_EQ(p->build_request(t, info, "{}").target,
            std::string("/openai/deployments/gpt-4o-mini/embeddings?api-version=") + config::kDefaultAzureApiVersion);
  EXPECT_FALSE(p->supports(Route::messages));
  EXPECT_EQ(p->name(), "azure_openai");
}

}  // namespace
}  // namespace kt::providers
