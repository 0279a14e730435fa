// Phase 1 for every priced route: the checks all bodies share (duplicate keys, numbers past
// int64, the output limits) and the readers of /v1/completions, /v1/embeddings, /v1/responses and
// /v1/messages, into the same RequestContext fields the chat reader (phase_parse.cpp) fills, so
// every route is priced, held and settled by the same phases. The body is not rewritten.
#include "core/json_duplicate_keys.hpp"
#include "gateway/budget/model_limits.hpp"
#include "gateway/pipeline/phases.hpp"
#include "providers/json_dom.hpp"

namespace kt::gateway {
namespace {

using providers::Route;
namespace dom = providers::dom;

Rejection invalid(std::string code, std::string message) {
  return rejection(bad_request(std::move(code), std::move(message)), "invalid_request");
}

// A string, or the text of an array of content parts/blocks ({"type":"text"|"input_text"|..., "text"}).
std::optional<std::string> text_of(dom::element v) {
  if (v.is_string()) return std::string(v.get_string().value());
  if (!v.is_array()) return std::nullopt;
  std::string out;
  dom::array parts = v.get_array().value();
  for (dom::element part : parts)
    if (auto t = providers::str_field(part, "text")) {
      if (!out.empty()) out += '\n';
      out += *t;
    }
  return out;
}

// "prompt" / "input" of completions and embeddings: a string or an array of strings.
std::optional<Rejection> read_text_list(dom::element v, std::string_view key, RequestContext& ctx) {
  if (v.is_string()) {
    ctx.messages.push_back({"user", std::string(v.get_string().value()), ""});
    return std::nullopt;
  }
  if (!v.is_array()) return invalid("invalid_field", "'" + std::string(key) + "' must be a string or an array of strings");
  dom::array items = v.get_array().value();
  for (dom::element item : items) {
    if (!item.is_string())
      return invalid("unsupported_field", "'" + std::string(key) + "' as token arrays is not supported; send text");
    ctx.messages.push_back({"user", std::string(item.get_string().value()), ""});
  }
  if (ctx.messages.empty()) return invalid("missing_field", "'" + std::string(key) + "' must not be empty");
  return std::nullopt;
}

// A whole number too big for int64 (an unsigned or a big-integer literal) is "too large", not "not
// an integer": the client asked for more than any model gives.
bool is_huge_integer(dom::element v) {
  return (v.is_uint64() && !v.is_int64()) || (v.is_double() && v.get_double().value() >= 9.2e18);
}

std::optional<Rejection> read_output_cap(dom::element doc, std::string_view key, RequestContext& ctx) {
  auto v = providers::any_field(doc, key);
  if (!v || v->is_null()) return std::nullopt;
  if (is_huge_integer(*v)) return invalid("max_tokens_too_large", "'" + std::string(key) + "' is too large");
  if (!v->is_int64() || v->get_int64().value() < 1)
    return invalid("invalid_field", "'" + std::string(key) + "' must be an integer of at least 1");
  ctx.max_tokens = v->get_int64().value();
  return std::nullopt;
}

std::optional<Rejection> read_choices(dom::element doc, RequestContext& ctx) {
  auto v = providers::any_field(doc, "n");
  if (!v || v->is_null()) return std::nullopt;
  if (is_huge_integer(*v)) return invalid("n_too_large", "'n' is too large");
  if (!v->is_int64()) return invalid("invalid_field", "'n' must be an integer");
  ctx.choices = v->get_int64().value();  // its bounds: check_output_limits
  return std::nullopt;
}

std::optional<Rejection> read_stream_flags(dom::element doc, RequestContext& ctx) {
  if (auto s = providers::any_field(doc, "stream"); s && !s->is_null()) {
    if (!s->is_bool()) return invalid("invalid_field", "'stream' must be true or false");
    ctx.stream = s->get_bool().value();
  }
  // Present in any shape (null too): the usage request is merged into it (see phase_parse.cpp).
  if (auto so = providers::any_field(doc, "stream_options")) {
    ctx.has_stream_options = true;
    if (so->is_object())
      if (auto iu = providers::any_field(*so, "include_usage"); iu && iu->is_bool()) ctx.client_wants_usage = iu->get_bool().value();
  }
  return std::nullopt;
}

// What no model answers: refused before anything is priced or reserved, so the worst case
// (max_tokens x n x price) stays far inside int64 and the budget phases never see it.
std::optional<Rejection> check_output_limits(RequestContext& ctx) {
  if (ctx.choices < 1) return invalid("invalid_field", "'n' must be at least 1");
  if (ctx.choices > kMaxChoices)
    return invalid("n_too_large", "'n' is " + std::to_string(ctx.choices) + "; at most " + std::to_string(kMaxChoices) +
                                      " choices are allowed");
  if (!ctx.max_tokens) return std::nullopt;
  int64_t limit = max_output_tokens_limit(ctx.model);
  if (*ctx.max_tokens > limit)
    return invalid("max_tokens_too_large", "max_tokens " + std::to_string(*ctx.max_tokens) + " is above the limit of " +
                                               std::to_string(limit) + " for model '" + ctx.model + "'");
  return std::nullopt;
}

// One rule for every route: a key given twice anywhere in the body is refused, so what kt prices
// is what the upstream reads whichever duplicate its parser keeps (core/json_duplicate_keys.hpp).
std::optional<Rejection> check_body_keys(const RequestContext& ctx, JsonKeyCheck& keys) {
  keys = check_json_keys(ctx.req.body);
  if (keys.status == JsonKeyCheck::Status::malformed) return invalid("invalid_json", "request body is not valid JSON");
  if (keys.status == JsonKeyCheck::Status::ok) return std::nullopt;
  return Rejection{400, duplicate_key_body(keys.path), "invalid_request", {}};
}

std::optional<Rejection> parse_completions(dom::element doc, RequestContext& ctx) {
  ctx.plain_prompt = true;
  auto prompt = providers::any_field(doc, "prompt");
  if (!prompt) return invalid("missing_field", "'prompt' is required");
  if (auto r = read_text_list(*prompt, "prompt", ctx)) return r;
  if (auto r = read_output_cap(doc, "max_tokens", ctx)) return r;
  if (auto r = read_choices(doc, ctx)) return r;
  return read_stream_flags(doc, ctx);
}

std::optional<Rejection> parse_embeddings(dom::element doc, RequestContext& ctx) {
  ctx.plain_prompt = ctx.input_only = true;
  auto input = providers::any_field(doc, "input");
  if (!input) return invalid("missing_field", "'input' is required");
  return read_text_list(*input, "input", ctx);
}

// input: a string, or items {role, content: string | [{type:"input_text", text}]} (function call
// outputs and other items count by their text).
std::optional<Rejection> parse_responses(dom::element doc, RequestContext& ctx) {
  if (auto instructions = providers::str_field(doc, "instructions")) ctx.messages.push_back({"system", std::string(*instructions), ""});
  auto input = providers::any_field(doc, "input");
  if (!input) return invalid("missing_field", "'input' is required");
  if (input->is_string()) {
    ctx.messages.push_back({"user", std::string(input->get_string().value()), ""});
  } else if (input->is_array()) {
    dom::array items = input->get_array().value();
    for (dom::element item : items) {
      std::string role(providers::str_field(item, "role").value_or("user"));
      std::optional<std::string> text;
      if (auto c = providers::any_field(item, "content")) text = text_of(*c);
      else if (auto o = providers::str_field(item, "output")) text = std::string(*o);
      ctx.messages.push_back({role, text.value_or(""), ""});
    }
  } else {
    return invalid("invalid_field", "'input' must be a string or an array of items");
  }
  if (ctx.messages.empty()) return invalid("missing_field", "'input' must not be empty");
  if (auto r = read_output_cap(doc, "max_output_tokens", ctx)) return r;
  return read_stream_flags(doc, ctx);
}

// Anthropic's Messages API: system (string or text blocks), messages, max_tokens (required).
std::optional<Rejection> parse_messages(dom::element doc, RequestContext& ctx) {
  if (auto system = providers::any_field(doc, "system"))
    if (auto t = text_of(*system)) ctx.messages.push_back({"system", *t, ""});
  auto messages = providers::arr_field(doc, "messages");
  if (!messages) return invalid("missing_field", "'messages' is required and must be an array");
  for (dom::element m : *messages) {
    auto role = providers::str_field(m, "role");
    if (!role) return invalid("invalid_field", "each message needs a 'role'");
    std::optional<std::string> text;
    if (auto c = providers::any_field(m, "content")) text = text_of(*c);
    ctx.messages.push_back({std::string(*role), text.value_or(""), ""});
  }
  if (ctx.messages.empty()) return invalid("missing_field", "'messages' must not be empty");
  if (!providers::any_field(doc, "max_tokens")) return invalid("missing_field", "'max_tokens' is required");
  if (auto r = read_output_cap(doc, "max_tokens", ctx)) return r;
  return read_stream_flags(doc, ctx);
}

// The body of a route other than chat (chat has its own on-demand reader, phase_parse.cpp).
std::optional<Rejection> parse_other_route(RequestContext& ctx) {
  thread_local dom::parser parser;
  try {
    dom::element doc = providers::parse_dom(parser, ctx.req.body);
    if (!doc.is_object()) return invalid("invalid_json", "request body must be a JSON object");
    auto model = providers::any_field(doc, "model");
    if (!model) return invalid("missing_field", "'model' is required");
    if (!model->is_string()) return invalid("invalid_field", "'model' must be a string");
    ctx.model = std::string(model->get_string().value());
    if (ctx.model.empty()) return invalid("missing_field", "'model' is required");
    if (auto user = providers::str_field(doc, "user")) ctx.body_user = std::string(*user);
    switch (ctx.route_kind) {
      case Route::completions: return parse_completions(doc, ctx);
      case Route::embeddings: return parse_embeddings(doc, ctx);
      case Route::responses: return parse_responses(doc, ctx);
      case Route::messages: return parse_messages(doc, ctx);
      case Route::chat: break;
    }
  } catch (const simdjson::simdjson_error&) {
    return invalid("invalid_json", "request body is not valid JSON");
  }
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> parse_route_request(RequestContext& ctx) {
  JsonKeyCheck keys;
  if (auto r = check_body_keys(ctx, keys)) return r;
  auto r = ctx.route_kind == Route::chat ? parse_chat_request(ctx) : parse_other_route(ctx);
  if (r) return r;
  // After the parsers, so that a count past int64 keeps its own code (max_tokens_too_large). Any
  // other such number, or a lone surrogate escape, would reach a translator that cannot read it,
  // after the reservation (a 500; found by the route_chat fuzzer).
  if (keys.simdjson_refuses)
    return invalid("invalid_json",
                   "request body has a number past 64-bit integers or double precision, or a lone surrogate escape");
  return check_output_limits(ctx);
}

}  // namespace kt::gateway
