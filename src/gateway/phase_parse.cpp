// Phase 2: read the chat request with simdjson's DOM parser, which validates the whole body: a body
// that is not JSON is refused here, not after a reservation by an upstream or a translator that
// cannot read it (On Demand, used before, checked only the values it read). The body stays as the
// client sent it.
#include <simdjson.h>

#include "gateway/phases.hpp"
#include "providers/json_dom.hpp"

namespace kt::gateway {
namespace dom = simdjson::dom;

namespace {

// Message content is a string or an array of parts; the text parts are what is counted and checked.
std::string content_text(dom::element v) {
  if (v.is_string()) return std::string(v.get_string().value());
  std::string out;
  if (v.is_array()) {
    for (dom::element part : v.get_array().value()) {
      if (!part.is_object()) continue;
      for (auto [key, t] : part.get_object().value()) {
        if (key == "text" && t.is_string()) {
          if (!out.empty()) out += '\n';
          out += t.get_string().value();
        }
      }
    }
  }
  return out;
}

Rejection invalid(std::string code, std::string message) {
  return rejection(bad_request(std::move(code), std::move(message)), "invalid_request");
}

std::optional<Rejection> read_messages(dom::element v, RequestContext& ctx) {
  if (!v.is_array()) return invalid("invalid_field", "'messages' must be an array");
  for (dom::element m : v.get_array().value()) {
    if (!m.is_object()) return invalid("invalid_field", "each message must be an object");
    ChatMessage msg;
    for (auto [mk, mv] : m.get_object().value()) {
      if (mk == "role" && mv.is_string()) msg.role = std::string(mv.get_string().value());
      else if (mk == "content" && !mv.is_null()) msg.content = content_text(mv);
      else if (mk == "name" && mv.is_string()) msg.name = std::string(mv.get_string().value());
    }
    if (msg.role.empty()) return invalid("invalid_field", "each message needs a 'role'");
    ctx.messages.push_back(std::move(msg));
  }
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> parse_chat_request(RequestContext& ctx) {
  thread_local dom::parser parser;
  std::string& body = ctx.req.body;
  // simdjson reads past the end; pad the buffer we own instead of copying it.
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  dom::element doc;
  if (parser.parse(body.data(), body.size(), false).get(doc) != simdjson::SUCCESS)
    return invalid("invalid_json", "request body is not valid JSON");
  if (!doc.is_object()) return invalid("invalid_json", "request body must be a JSON object");
  if (auto key = providers::duplicate_key(doc))
    return invalid("duplicate_field", "'" + std::string(*key) + "' is given twice in one object");
  dom::object top = doc.get_object().value();
  bool has_messages = false;
  for (auto [key, v] : top) {
    if (key == "model") {
      if (!v.is_string()) return invalid("invalid_field", "'model' must be a string");
      ctx.model = std::string(v.get_string().value());
    } else if (key == "messages") {
      has_messages = true;
      if (auto r = read_messages(v, ctx)) return r;
    } else if (key == "stream") {
      if (v.is_bool()) ctx.stream = v.get_bool().value();
    } else if (key == "stream_options") {
      if (v.is_object()) {
        ctx.has_stream_options = true;
        for (auto [sk, iu] : v.get_object().value())
          if (sk == "include_usage") ctx.client_wants_usage = iu.is_bool() && iu.get_bool().value();
      }
    } else if (key == "max_tokens" || key == "max_completion_tokens") {
      if (v.is_null()) continue;
      if (!v.is_int64()) return invalid("invalid_field", "'" + std::string(key) + "' must be an integer");
      int64_t n = v.get_int64().value();
      if (n < 1) return invalid("invalid_field", "'" + std::string(key) + "' must be at least 1");
      ctx.max_tokens = ctx.max_tokens ? std::min(*ctx.max_tokens, n) : n;
    } else if (key == "n") {
      if (v.is_number() && !v.is_int64()) return invalid("invalid_field", "'n' must be an integer");
      if (v.is_int64()) ctx.choices = std::max<int64_t>(1, v.get_int64().value());
    }
  }
  if (ctx.model.empty()) return invalid("missing_field", "'model' is required");
  if (!has_messages || ctx.messages.empty()) return invalid("missing_field", "'messages' is required and must not be empty");
  return std::nullopt;
}

}  // namespace kt::gateway
