#pragma once
// One priced route's request body through everything the gateway does to it before it leaves:
// the route's parser (phase_parse.cpp for chat, route_request.cpp for the others), a fallback's
// model swap (body_with_string_field), the budget clamp of the output cap (max_tokens_clamp),
// upstream_body (stream_options.include_usage), then each provider's build_request.
//
// Invariants besides "no sanitizer finding": a body the gateway accepts is JSON, and the model and
// output cap it prices are those the upstream reads (the last copy of a key); every rewrite
// is JSON again and says what it was asked to (the last copy of a duplicated key is the one an
// upstream reads); a chat or completions stream asks the upstream for usage; a translated body
// is JSON; no upstream request line or header carries a CR or LF.
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "gateway/budget/max_tokens_clamp.hpp"
#include "gateway/pipeline/phases.hpp"
#include "gateway/pipeline/upstream_support.hpp"
#include "providers/json_dom.hpp"

namespace kt::fuzz {

namespace dom = simdjson::dom;

// The last member named `key` of a JSON object text (duplicates: the last wins upstream); valid
// until the next call.
inline std::optional<dom::element> last_member(const std::string& json, std::string_view key) {
  thread_local dom::parser parser;
  dom::element doc = parser.parse(json).value();
  std::optional<dom::element> found;
  if (!doc.is_object()) return found;
  for (auto [k, v] : doc.get_object().value())
    if (k == key) found = v;
  return found;
}

inline bool has_int(const std::string& json, std::string_view key, int64_t n) {
  auto v = last_member(json, key);
  return v && v->is_int64() && v->get_int64().value() == n;
}

inline bool has_string(const std::string& json, std::string_view key, std::string_view s) {
  auto v = last_member(json, key);
  return v && v->is_string() && v->get_string().value() == s;
}

inline bool asks_for_usage(const std::string& json) {
  auto so = last_member(json, "stream_options");
  if (!so || !so->is_object()) return false;
  dom::element iu;
  return so->get_object().value().at_key("include_usage").get(iu) == simdjson::SUCCESS && iu.is_bool() &&
         iu.get_bool().value();
}

inline bool clean_header_text(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

// The budget clamp's edit for the route (phase_budget.cpp's body_with_output_cap).
inline std::optional<std::string> clamp_output_cap(providers::Route route, const std::string& body, int64_t n) {
  switch (route) {
    case providers::Route::chat: return gateway::body_with_max_tokens(body, n);
    case providers::Route::completions:
    case providers::Route::messages: return gateway::body_with_int_field(body, "max_tokens", n);
    case providers::Route::responses: return gateway::body_with_int_field(body, "max_output_tokens", n);
    case providers::Route::embeddings: break;
  }
  return std::nullopt;
}

// The fields that cap a route's output.
inline std::vector<std::string_view> output_cap_fields(providers::Route route) {
  if (route == providers::Route::chat) return {"max_tokens", "max_completion_tokens"};
  if (route == providers::Route::responses) return {"max_output_tokens"};
  return {"max_tokens"};
}

inline void fuzz_route(providers::Route route, const uint8_t* data, size_t size) {
  http::Request req;
  req.method = "POST";
  req.target = std::string(providers::route_path(route));
  req.body.assign(reinterpret_cast<const char*>(data), size);
  gateway::RequestContext ctx(req);
  ctx.route_kind = route;
  ctx.route = req.target;
  if (auto refused = gateway::parse_route_request(ctx)) {
    KT_FUZZ_CHECK(refused->status == 400 && is_json(refused->body), "a refusal is a 400 with a JSON envelope");
    return;
  }
  KT_FUZZ_CHECK(is_json(req.body), "the gateway accepted a body that is not JSON");
  KT_FUZZ_CHECK(!ctx.model.empty() && !ctx.messages.empty(), "an accepted request names a model and a prompt");
  KT_FUZZ_CHECK(!ctx.max_tokens || *ctx.max_tokens >= 1, "an accepted output cap is at least 1");
  // What is priced is what the upstream will read.
  KT_FUZZ_CHECK(has_string(req.body, "model", ctx.model), "the gateway prices the model the upstream reads");
  if (ctx.max_tokens) {
    bool found = false;
    for (std::string_view field : output_cap_fields(route)) {
      auto v = last_member(req.body, field);
      if (!v || v->is_null()) continue;
      // An upstream may honour either of chat's two caps: the priced one covers both (the larger).
      KT_FUZZ_CHECK(v->is_int64() && v->get_int64().value() <= *ctx.max_tokens, "no output cap above the priced one");
      found = found || v->get_int64().value() == *ctx.max_tokens;
    }
    KT_FUZZ_CHECK(found, "the priced output cap is the body's");
  }

  // A fallback to another model (the attempt loop in pipeline.cpp).
  const std::string fallback_model = "fuzz-fallback\"\\\n\xc3\xa9";
  if (auto swapped = gateway::body_with_string_field(req.body, "model", fallback_model)) {
    KT_FUZZ_CHECK(is_json(*swapped) && has_string(*swapped, "model", fallback_model), "the model swap");
    req.body = std::move(*swapped);
    ctx.model = fallback_model;
  }
  // The budget clamp (phase_budget.cpp), with a cap that depends on the input.
  const int64_t cap = 16 + static_cast<int64_t>(size) * 7919;
  if (auto clamped = clamp_output_cap(route, req.body, cap)) {
    KT_FUZZ_CHECK(is_json(*clamped), "the clamped body is JSON");
    // Chat has two names for the cap: each one present is set (max_tokens is added when neither is).
    bool any = false;
    for (std::string_view field : output_cap_fields(route)) {
      if (!last_member(*clamped, field)) continue;
      any = true;
      KT_FUZZ_CHECK(has_int(*clamped, field, cap), "the clamp sets the output cap");
    }
    KT_FUZZ_CHECK(any, "the clamped body has an output cap");
    req.body = std::move(*clamped);
    ctx.max_tokens = cap;
  }

  const providers::RouteInfo info = gateway::route_info(ctx);
  const std::string body = gateway::upstream_body(ctx);
  KT_FUZZ_CHECK(is_json(body), "upstream_body is JSON");
  const bool wants_usage_added = ctx.stream && !ctx.client_wants_usage &&
                                 (route == providers::Route::chat || route == providers::Route::completions);
  KT_FUZZ_CHECK(!wants_usage_added || asks_for_usage(body), "a stream asks the upstream for its usage");

  for (const char* name : {"openai", "anthropic", "azure_openai"}) {
    auto provider = providers::make_provider(name);
    if (!provider->supports(route)) continue;
    providers::ResolvedTarget target;
    target.config.id = name;
    target.config.provider = name;
    target.base = *http::Url::parse("http://127.0.0.1:1/v1");
    target.api_key = "fuzz-key";
    http::ClientRequest out = provider->build_request(target, info, body);
    KT_FUZZ_CHECK(is_json(out.body), "the upstream body is JSON");
    KT_FUZZ_CHECK(clean_header_text(out.target), "no CR/LF in the upstream request target");
    for (const auto& [k, v] : out.headers) KT_FUZZ_CHECK(clean_header_text(k) && clean_header_text(v), "no CR/LF in headers");
  }
}

}  // namespace kt::fuzz
