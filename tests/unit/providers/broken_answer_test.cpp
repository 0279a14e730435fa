// A whole answer that is not JSON (cut off, or a proxy's HTML page) is no answer: every provider
// says so (ResponseReading::json false) and the gateway answers 502 without billing. JSON of an
// unexpected shape is still an answer (passed on, its usage estimated).
#include <gtest/gtest.h>

#include "providers/provider.hpp"

namespace kt::providers {
namespace {

struct Case {
  const char* provider;
  Route route;
};
constexpr Case kCases[] = {{"openai", Route::chat},         {"openai", Route::embeddings},
                           {"openai", Route::responses},    {"azure_openai", Route::completions},
                           {"anthropic", Route::chat},      {"anthropic", Route::messages}};

RouteInfo info_of(Route r) {
  RouteInfo info;
  info.route = r;
  info.model = "m";
  return info;
}

TEST(BrokenAnswer, CutOrHtmlBodiesAreNotAnswers) {
  for (const auto& c : kCases) {
    auto p = make_provider(c.provider);
    for (const char* body : {R"({"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assis)",
                             "<html><body><h1>200 OK</h1></body></html>", ""}) {
      auto r = p->read_response(info_of(c.route), body);
      EXPECT_FALSE(r.json) << c.provider << " " << route_path(c.route) << ": " << body;
      EXPECT_FALSE(r.usage);
    }
  }
}

TEST(BrokenAnswer, JsonOfAnotherShapeIsStillAnAnswer) {
  for (const auto& c : kCases) {
    auto p = make_provider(c.provider);
    for (const char* body : {R"({"unexpected":true})", R"({"usage":"seven","content":3,"choices":{}})", "[1,2]"}) {
      auto r = p->read_response(info_of(c.route), body);
      EXPECT_TRUE(r.json) << c.provider << " " << route_path(c.route) << ": " << body;
    }
  }
}

}  // namespace
}  // namespace kt::providers
