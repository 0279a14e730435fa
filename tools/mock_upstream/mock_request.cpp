#include "mock_request.hpp"

#include <charconv>
#include <simdjson.h>

namespace kt::mock {
namespace {

using simdjson::ondemand::json_type;

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

void apply_directive(std::string_view name, std::string_view value, Directives& d) {
  auto number = to_int(value);
  if (name == "status" && number) d.status = static_cast<int>(*number);
  else if (name == "delay_ms" && number) d.delay_ms = *number;
  else if (name == "chunk_delay_ms" && number) d.chunk_delay_ms = *number;
  else if (name == "completion_tokens" && number) d.completion_tokens = *number;
  else if (name == "prompt_tokens" && number) d.prompt_tokens = *number;
  else if (name == "reasoning_tokens" && number) d.reasoning_tokens = *number;
  else if (name == "cached_tokens" && number) d.cached_tokens = *number;
  else if (name == "cache_creation_tokens" && number) d.cache_creation_tokens = *number;
  else if (name == "no_usage") d.no_usage = true;
  else if (name == "say_hex") {
    d.say.clear();
    for (size_t i = 0; i + 1 < value.size(); i += 2) {
      unsigned byte = 0;
      std::from_chars(value.data() + i, value.data() + i + 2, byte, 16);
      d.say.push_back(static_cast<char>(byte));
    }
  }
  else if (name == "tool_calls") d.tool_calls = true;
  else if (name == "oversized_event") d.oversized_event = true;
  else if (name == "reasoning_words" && number) d.reasoning_words = *number;
  else if (name == "drop") d.drop = true;
  else if (name == "reset_after" && number) d.reset_after = *number;
  else if (name == "garbage") d.garbage = true;
  else if (name == "html" && number) d.html_status = static_cast<int>(*number);
  else if (name == "truncated_json") d.truncated_json = true;
  else if (name == "short_body") d.short_body = true;
  else if (name == "fail_times") {
    auto colon = value.find(':');
    auto times = to_int(value.substr(0, colon));
    if (times && colon != std::string_view::npos && colon + 1 < value.size()) {
      d.fail_times = *times;
      d.fail_key = std::string(value.substr(colon + 1));
    }
  }
}

// One JSON value that is a string, or nullopt; anything else is an error the caller reports.
std::string read_string(simdjson::ondemand::value v) { return std::string(std::string_view(v.get_string())); }

std::optional<int64_t> read_optional_int(simdjson::ondemand::value v) {
  if (v.type() == json_type::null) return std::nullopt;
  return v.get_int64().value();
}

// String content, or [{type:"text", text}] parts joined by '\n'.
std::string read_content(simdjson::ondemand::value v) {
  auto type = v.type().value();
  if (type == json_type::null) return {};
  if (type == json_type::string) return read_string(v);
  std::string text;
  for (auto part : v.get_array()) {
    for (auto field : part.get_object()) {
      if (std::string_view(field.unescaped_key()) != "text") continue;
      if (!text.empty()) text.push_back('\n');
      text += read_string(field.value());
    }
  }
  return text;
}

}  // namespace

void scan_directives(std::string_view text, Directives& d) {
  constexpr std::string_view open = "[mock:";
  size_t pos = 0;
  while ((pos = text.find(open, pos)) != std::string_view::npos) {
    size_t start = pos + open.size();
    size_t close = text.find(']', start);
    if (close == std::string_view::npos) return;
    std::string_view body = text.substr(start, close - start);
    auto eq = body.find('=');
    apply_directive(body.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : body.substr(eq + 1), d);
    pos = close + 1;
  }
}

size_t count_words(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

ParseResult parse_chat_request(std::string_view body) {
  ParseResult result;
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(body);
    simdjson::ondemand::document doc = parser.iterate(padded);
    ChatRequest req;
    bool has_model = false, has_messages = false;
    std::optional<int64_t> max_tokens, max_completion_tokens;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      simdjson::ondemand::value value = field.value();
      if (key == "model") {
        req.model = read_string(value);
        has_model = true;
      } else if (key == "messages") {
        has_messages = true;
        for (auto item : value.get_array()) {
          Message m;
          for (auto mf : item.get_object()) {
            std::string_view mk = mf.unescaped_key();
            if (mk == "role") m.role = read_string(mf.value());
            else if (mk == "content") m.text = read_content(mf.value());
          }
          req.messages.push_back(std::move(m));
        }
      } else if (key == "max_tokens") {
        max_tokens = read_optional_int(value);
      } else if (key == "max_completion_tokens") {
        max_completion_tokens = read_optional_int(value);
      } else if (key == "stream") {
        req.stream = value.type() == json_type::boolean && value.get_bool();
      } else if (key == "stream_options") {
        if (value.type() == json_type::object)
          for (auto so : value.get_object())
            if (std::string_view(so.unescaped_key()) == "include_usage") {
              simdjson::ondemand::value v = so.value();
              req.include_usage = v.type() == json_type::boolean && v.get_bool();
            }
      }
    }
    if (!has_model || req.model.empty()) {
      result.error = "you must provide a model parameter";
      return result;
    }
    if (!has_messages || req.messages.empty()) {
      result.error = "'messages' is a required property";
      return result;
    }
    req.max_tokens = max_completion_tokens ? max_completion_tokens : max_tokens;
    for (const auto& m : req.messages) scan_directives(m.text, req.directives);
    result.request = std::move(req);
  } catch (const simdjson::simdjson_error&) {
    result.error = "We could not parse the JSON body of your request.";
  }
  return result;
}

std::optional<CompletionRequest> parse_completion_request(std::string_view body, std::string& error) {
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(body);
    auto doc = parser.iterate(padded);
    CompletionRequest req;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      if (key == "model") req.model = read_string(field.value());
      else if (key == "prompt") req.prompt = read_content(field.value());
      else if (key == "max_tokens") req.max_tokens = read_optional_int(field.value());
    }
    if (req.model.empty()) {
      error = "you must provide a model parameter";
      return std::nullopt;
    }
    scan_directives(req.prompt, req.directives);
    return req;
  } catch (const simdjson::simdjson_error&) {
    error = "We could not parse the JSON body of your request.";
    return std::nullopt;
  }
}

std::optional<EmbeddingRequest> parse_embedding_request(std::string_view body, std::string& error) {
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(body);
    auto doc = parser.iterate(padded);
    EmbeddingRequest req;
    bool has_input = false;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      simdjson::ondemand::value value = field.value();
      if (key == "model") {
        req.model = read_string(value);
      } else if (key == "input") {
        has_input = true;
        if (value.type() == json_type::string) {
          req.inputs.push_back(read_string(value));
        } else {
          for (auto item : value.get_array()) req.inputs.push_back(read_string(item.value()));
        }
      }
    }
    if (req.model.empty() || !has_input) {
      error = req.model.empty() ? "you must provide a model parameter" : "'input' is a required property";
      return std::nullopt;
    }
    for (const auto& in : req.inputs) scan_directives(in, req.directives);
    return req;
  } catch (const simdjson::simdjson_error&) {
    error = "We could not parse the JSON body of your request.";
    return std::nullopt;
  }
}

}  // namespace kt::mock
