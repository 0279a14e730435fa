// Phase 1: read the chat request with simdjson. The body stays as the client sent it.
#include <simdjson.h>

#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace sj = simdjson::ondemand;

namespace {

// Message content is a string or an array of parts; the text parts are what is counted and checked.
std::string content_text(sj::value v) {
  if (v.type() == sj::json_type::string) return std::string(v.get_string().value());
  std::string out;
  if (v.type() == sj::json_type::array) {
    for (auto part : v.get_array()) {
      if (part.type() != sj::json_type::object) continue;
      for (auto f : part.get_object()) {
        if (f.unescaped_key().value() == "text") {
          auto t = f.value();
          if (t.type() == sj::json_type::string) {
            if (!out.empty()) out += '\n';
            out += t.get_string().value();
          }
        }
      }
    }
  }
  return out;
}

Rejection invalid(std::string code, std::string message) {
  return rejection(bad_request(std::move(code), std::move(message)), "invalid_request");
}

// An integer count (max_tokens, n). One past int64 is refused as too large, never wrapped.
std::optional<Rejection> read_count(sj::value v, std::string_view key, int64_t& out) {
  auto r = v.get_int64();
  if (r.error() == simdjson::SUCCESS) {
    out = r.value_unsafe();
    return std::nullopt;
  }
  std::string_view token = v.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
    token.remove_suffix(1);
  bool integer_literal = !token.empty() && token.find_first_not_of("-0123456789") == std::string_view::npos;
  if (integer_literal)
    return invalid(std::string(key == "n" ? "n" : "max_tokens") + "_too_large", "'" + std::string(key) + "' is too large");
  return invalid("invalid_field", "'" + std::string(key) + "' must be an integer");
}

}  // namespace

std::optional<Rejection> parse_chat_request(RequestContext& ctx) {
  thread_local sj::parser parser;
  std::string& body = ctx.req.body;
  // simdjson reads past the end; pad the buffer we own instead of copying it.
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  bool has_messages = false;
  try {
    sj::document doc = parser.iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity()));
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key().value();
      sj::value v = field.value();
      if (key == "model") {
        if (v.type() != sj::json_type::string) return invalid("invalid_field", "'model' must be a string");
        ctx.model = std::string(v.get_string().value());
      } else if (key == "messages") {
        if (v.type() != sj::json_type::array) return invalid("invalid_field", "'messages' must be an array");
        has_messages = true;
        ctx.messages.reserve(4);  // a system prompt and a turn or two without regrowing
        for (auto m : v.get_array()) {
          if (m.type() != sj::json_type::object) return invalid("invalid_field", "each message must be an object");
          ChatMessage msg;
          for (auto mf : m.get_object()) {
            std::string_view mk = mf.unescaped_key().value();
            sj::value mv = mf.value();
            if (mk == "role" && mv.type() == sj::json_type::string) msg.role = std::string(mv.get_string().value());
            else if (mk == "content" && !mv.is_null()) msg.content = content_text(mv);
            else if (mk == "name" && mv.type() == sj::json_type::string) msg.name = std::string(mv.get_string().value());
          }
          if (msg.role.empty()) return invalid("invalid_field", "each message needs a 'role'");
          ctx.messages.push_back(std::move(msg));
        }
      } else if (key == "user") {
        if (v.type() == sj::json_type::string) ctx.body_user = std::string(v.get_string().value());
      } else if (key == "stream") {
        if (v.type() == sj::json_type::boolean) ctx.stream = v.get_bool().value();
        else if (!v.is_null()) return invalid("invalid_field", "'stream' must be true or false");
      } else if (key == "stream_options") {
        // Present in any shape (null too): the usage request is then merged into it rather than
        // added as a second "stream_options" that a last-wins upstream would drop.
        ctx.has_stream_options = true;
        if (v.type() == sj::json_type::object) {
          for (auto so : v.get_object())
            if (so.unescaped_key().value() == "include_usage") {
              auto iu = so.value();
              ctx.client_wants_usage = iu.type() == sj::json_type::boolean && iu.get_bool().value();
            }
        }
      } else if (key == "max_tokens" || key == "max_completion_tokens") {
        if (v.is_null()) continue;
        if (v.type() != sj::json_type::number) return invalid("invalid_field", "'" + std::string(key) + "' must be an integer");
        int64_t n = 0;
        if (auto r = read_count(v, key, n)) return r;
        if (n < 1) return invalid("invalid_field", "'" + std::string(key) + "' must be at least 1");
        // Both given: the upstream may honour either, so the worst case is the larger.
        ctx.max_tokens = ctx.max_tokens ? std::max(*ctx.max_tokens, n) : n;
      } else if (key == "n") {
        if (v.is_null()) continue;
        if (v.type() != sj::json_type::number) return invalid("invalid_field", "'n' must be an integer");
        if (auto r = read_count(v, key, ctx.choices)) return r;  // its bounds: check_output_limits
      }
    }
    if (doc.current_location().error() == simdjson::SUCCESS) return invalid("invalid_json", "request body is not valid JSON");
  } catch (const simdjson::simdjson_error&) {
    return invalid("invalid_json", "request body is not valid JSON");
  }
  if (ctx.model.empty()) return invalid("missing_field", "'model' is required");
  if (!has_messages || ctx.messages.empty()) return invalid("missing_field", "'messages' is required and must not be empty");
  return std::nullopt;
}

}  // namespace kt::gateway
