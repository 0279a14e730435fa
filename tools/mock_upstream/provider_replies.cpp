#include "provider_replies.hpp"

#include <simdjson.h>

#include "chat_reply.hpp"
#include "core/json_writer.hpp"

namespace kt::mock {
namespace {

using simdjson::ondemand::json_type;
constexpr size_t kWordsPerEvent = 8;

// A string, or the "text" of each block of an array, joined by '\n'.
std::string text_of(simdjson::ondemand::value v) {
  if (v.type() == json_type::string) return std::string(std::string_view(v.get_string()));
  std::string out;
  if (v.type() != json_type::array) return out;
  for (auto block : v.get_array()) {
    if (block.type() != json_type::object) continue;
    for (auto f : block.get_object())
      if (std::string_view(f.unescaped_key()) == "text") {
        if (!out.empty()) out += '\n';
        out += std::string_view(f.value().get_string());
      }
  }
  return out;
}

std::string event(std::string_view name, const JsonWriter& w) {
  return "event: " + std::string(name) + "\ndata: " + w.str() + "\n\n";
}

// Texts of each group of kWordsPerEvent pieces: what one delta event carries.
std::vector<std::string> delta_texts(const ChatPlan& plan) { return group_pieces(plan.pieces, kWordsPerEvent); }

// One content block of a Messages stream: start, a delta per piece group, stop.
void stream_block(std::vector<std::string>& events, int index, const std::string& start_block_json,
                  std::string_view delta_type, std::string_view delta_field, const std::vector<std::string>& pieces) {
  events.push_back("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":" +
                   std::to_string(index) + ",\"content_block\":" + start_block_json + "}\n\n");
  for (const auto& piece : group_pieces(pieces, kWordsPerEvent)) {
    JsonWriter w;
    w.begin_object().field("type", "content_block_delta").field("index", index);
    w.key("delta").begin_object().field("type", delta_type).field(delta_field, piece).end_object().end_object();
    events.push_back(event("content_block_delta", w));
  }
  events.push_back("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":" +
                   std::to_string(index) + "}\n\n");
}


void anthropic_usage(JsonWriter& w, const ChatPlan& plan, const Directives& d, int64_t output_tokens) {
  w.key("usage").begin_object().field("input_tokens", plan.prompt_tokens);
  w.field("cache_creation_input_tokens", d.cache_creation_tokens.value_or(0));
  w.field("cache_read_input_tokens", d.cached_tokens.value_or(0)).field("output_tokens", output_tokens).end_object();
}

std::string_view stop_reason(const ChatPlan& plan) { return plan.finish_reason == "length" ? "max_tokens" : "end_turn"; }

void responses_usage(JsonWriter& w, const ChatPlan& plan, const Directives& d) {
  w.key("usage").begin_object().field("input_tokens", plan.prompt_tokens);
  w.key("input_tokens_details").begin_object().field("cached_tokens", d.cached_tokens.value_or(0)).end_object();
  w.field("output_tokens", plan.completion_tokens);
  w.key("output_tokens_details").begin_object().field("reasoning_tokens", d.reasoning_tokens.value_or(0)).end_object();
  w.field("total_tokens", plan.prompt_tokens + plan.completion_tokens).end_object();
}

// The response object; `done` adds the output and the usage (when the directives allow).
void response_object(JsonWriter& w, const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids, bool done) {
  w.begin_object().field("id", ids.id).field("object", "response").field("created_at", ids.created);
  w.field("status", done ? "completed" : "in_progress").field("model", req.model).key("output").begin_array();
  if (done) {
    w.begin_object().field("type", "message").field("id", "msg_" + ids.id).field("status", "completed").field("role", "assistant");
    w.key("content").begin_array().begin_object().field("type", "output_text").field("text", plan.content());
    w.key("annotations").begin_array().end_array().end_object().end_array().end_object();
  }
  w.end_array();
  if (done && !req.directives.no_usage) responses_usage(w, plan, req.directives);
  else w.key("usage").null();
  w.end_object();
}

}  // namespace

ParseResult parse_messages_request(std::string_view body) {
  ParseResult result;
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(body);
    auto doc = parser.iterate(padded);
    ChatRequest req;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      simdjson::ondemand::value v = field.value();
      if (key == "model") req.model = std::string(std::string_view(v.get_string()));
      else if (key == "system") req.messages.push_back({"system", text_of(v)});
      else if (key == "max_tokens") req.max_tokens = v.get_int64().value();
      else if (key == "stream") req.stream = v.type() == json_type::boolean && v.get_bool();
      else if (key == "messages") {
        for (auto item : v.get_array()) {
          Message m;
          for (auto mf : item.get_object()) {
            std::string_view mk = mf.unescaped_key();
            if (mk == "role") m.role = std::string(std::string_view(mf.value().get_string()));
            else if (mk == "content") m.text = text_of(mf.value());
          }
          req.messages.push_back(std::move(m));
        }
      }
    }
    if (req.model.empty()) result.error = "model: Field required";
    else if (!req.max_tokens) result.error = "max_tokens: Field required";
    else if (req.messages.empty()) result.error = "messages: Field required";
    if (!result.error.empty()) return result;
    for (const auto& m : req.messages) scan_directives(m.text, req.directives);
    result.request = std::move(req);
  } catch (const simdjson::simdjson_error&) {
    result.error = "There was an error parsing the body of your request.";
  }
  return result;
}

std::string messages_json(const ChatRequest& req, const ChatPlan& plan, const std::string& id) {
  JsonWriter w;
  w.begin_object().field("id", id).field("type", "message").field("role", "assistant").field("model", req.model);
  w.key("content").begin_array().begin_object().field("type", "text").field("text", plan.content()).end_object().end_array();
  w.field("stop_reason", stop_reason(plan)).key("stop_sequence").null();
  anthropic_usage(w, plan, req.directives, plan.completion_tokens);
  w.end_object();
  return w.take();
}

std::vector<std::string> messages_stream_events(const ChatRequest& req, const ChatPlan& plan, const std::string& id) {
  std::vector<std::string> events;
  {
    JsonWriter w;
    w.begin_object().field("type", "message_start").key("message").begin_object().field("id", id).field("type", "message");
    w.field("role", "assistant").field("model", req.model).key("content").begin_array().end_array();
    w.key("stop_reason").null().key("stop_sequence").null();
    anthropic_usage(w, plan, req.directives, 1);
    w.end_object().end_object();
    events.push_back(event("message_start", w));
  }
  int index = 0;
  size_t first_block = events.size();
  if (req.directives.reasoning_words > 0)
    stream_block(events, index++, R"({"type":"thinking","thinking":""})", "thinking_delta", "thinking",
                 reasoning_pieces(req.directives));
  if (req.directives.tool_calls)
    stream_block(events, index, R"({"type":"tool_use","id":"toolu_mock_1","name":"get_report","input":{}})",
                 "input_json_delta", "partial_json", tool_argument_pieces(plan));
  else
    stream_block(events, index, R"({"type":"text","text":""})", "text_delta", "text", plan.pieces);
  // Anthropic sends a ping right after the first block starts.
  events.insert(events.begin() + std::ptrdiff_t(first_block) + 1, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
  {
    JsonWriter w;
    w.begin_object().field("type", "message_delta").key("delta").begin_object().field("stop_reason", stop_reason(plan));
    w.key("stop_sequence").null().end_object();
    if (!req.directives.no_usage) w.key("usage").begin_object().field("output_tokens", plan.completion_tokens).end_object();
    w.end_object();
    events.push_back(event("message_delta", w));
  }
  events.push_back("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  return events;
}

std::string anthropic_error(std::string_view message, std::string_view type) {
  JsonWriter w;
  w.begin_object().field("type", "error").key("error").begin_object().field("type", type).field("message", message);
  w.end_object().end_object();
  return w.take();
}

ParseResult parse_responses_request(std::string_view body) {
  ParseResult result;
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(body);
    auto doc = parser.iterate(padded);
    ChatRequest req;
    bool has_input = false;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      simdjson::ondemand::value v = field.value();
      if (key == "model") req.model = std::string(std::string_view(v.get_string()));
      else if (key == "instructions") req.messages.push_back({"system", text_of(v)});
      else if (key == "max_output_tokens") { if (v.type() != json_type::null) req.max_tokens = v.get_int64().value(); }
      else if (key == "stream") req.stream = v.type() == json_type::boolean && v.get_bool();
      else if (key == "input") {
        has_input = true;
        if (v.type() == json_type::string) {
          req.messages.push_back({"user", text_of(v)});
        } else {
          for (auto item : v.get_array()) {
            Message m{"user", ""};
            for (auto f : item.get_object()) {
              std::string_view k = f.unescaped_key();
              if (k == "role") m.role = std::string(std::string_view(f.value().get_string()));
              else if (k == "content") m.text = text_of(f.value());
            }
            req.messages.push_back(std::move(m));
          }
        }
      }
    }
    if (req.model.empty()) result.error = "you must provide a model parameter";
    else if (!has_input) result.error = "'input' is a required property";
    if (!result.error.empty()) return result;
    for (const auto& m : req.messages) scan_directives(m.text, req.directives);
    result.request = std::move(req);
  } catch (const simdjson::simdjson_error&) {
    result.error = "We could not parse the JSON body of your request.";
  }
  return result;
}

std::string responses_json(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids) {
  JsonWriter w;
  response_object(w, req, plan, ids, true);
  return w.take();
}

std::vector<std::string> responses_stream_events(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids) {
  std::vector<std::string> events;
  int64_t seq = 0;
  auto add = [&](std::string_view type, auto body) {
    JsonWriter w;
    w.begin_object().field("type", type).field("sequence_number", seq++);
    body(w);
    w.end_object();
    events.push_back(event(type, w));
  };
  add("response.created", [&](JsonWriter& w) { w.key("response"); response_object(w, req, plan, ids, false); });
  for (const auto& text : delta_texts(plan))
    add("response.output_text.delta", [&](JsonWriter& w) {
      w.field("item_id", "msg_" + ids.id).field("output_index", 0).field("content_index", 0).field("delta", text);
    });
  add("response.output_text.done", [&](JsonWriter& w) {
    w.field("item_id", "msg_" + ids.id).field("output_index", 0).field("content_index", 0).field("text", plan.content());
  });
  add("response.completed", [&](JsonWriter& w) { w.key("response"); response_object(w, req, plan, ids, true); });
  return events;
}

}  // namespace kt::mock
