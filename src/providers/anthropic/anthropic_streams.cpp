#include "providers/anthropic/anthropic_streams.hpp"

namespace kt::providers::anthropic {
namespace {

std::string_view type_of(dom::element doc, const http::SseEvent& ev) {
  auto t = str_field(doc, "type");
  return t ? *t : std::string_view(ev.event);
}

std::string text_delta(dom::element doc) {
  if (auto d = obj_field(doc, "delta"))
    if (str_field(*d, "type").value_or("") == "text_delta") return std::string(str_field(*d, "text").value_or(""));
  return {};
}

// Output the upstream bills beyond text: a tool_use block's name (content_block_start), its input
// and thinking (content_block_delta). Counted, not shown to a chat client.
void count_block_event(std::string_view type, dom::element doc, std::string& counted) {
  if (type == "content_block_start") {
    if (auto block = obj_field(doc, "content_block")) collect_block_output(*block, counted);
  } else if (type == "content_block_delta") {
    if (auto d = obj_field(doc, "delta")) collect_block_output(*d, counted);
  }
}

}  // namespace

void MessagesStream::on_event(const http::SseEvent& ev, std::string& out) {
  out += ev.raw;
  if (ev.data.empty()) return;
  try {
    dom::element doc = parse_dom(parser_, ev.data);
    std::string_view type = type_of(doc, ev);
    if (type == "message_start") {
      if (auto m = obj_field(doc, "message"))
        if (auto u = obj_field(*m, "usage")) counts_.update(*u);
    } else if (type == "content_block_start" || type == "content_block_delta") {
      count_block_event(type, doc, text_);
    } else if (type == "message_delta") {
      if (auto u = obj_field(doc, "usage")) {
        counts_.update(*u);
        usage_ = counts_.to_usage();  // message_delta carries the final output count
      }
    }
  } catch (const simdjson::simdjson_error&) {
  }
}

void ChatFromMessagesStream::chunk(std::string& out, std::string_view delta_json, std::string_view finish_reason) const {
  JsonWriter w;
  w.begin_object().field("id", id_).field("object", "chat.completion.chunk").field("created", info_.created);
  w.field("model", model_).key("choices").begin_array().begin_object().field("index", 0);
  w.key("delta").raw(delta_json).key("logprobs").null().key("finish_reason");
  if (finish_reason.empty()) w.null(); else w.value(finish_reason);
  w.end_object().end_array().end_object();
  out += "data: " + w.str() + "\n\n";
}

void ChatFromMessagesStream::on_event(const http::SseEvent& ev, std::string& out) {
  if (ev.data.empty()) return;
  dom::element doc;
  try {
    doc = parse_dom(parser_, ev.data);
  } catch (const simdjson::simdjson_error&) {
    return;
  }
  std::string_view type = type_of(doc, ev);
  if (type == "message_start") {
    if (auto m = obj_field(doc, "message")) {
      id_ = std::string(str_field(*m, "id").value_or(""));
      model_ = std::string(str_field(*m, "model").value_or(info_.model));
      if (auto u = obj_field(*m, "usage")) counts_.update(*u);
    }
    chunk(out, R"({"role":"assistant","content":""})", "");
  } else if (type == "content_block_start") {
    count_block_event(type, doc, text_);
  } else if (type == "content_block_delta") {
    std::string text = text_delta(doc);
    if (text.empty()) return count_block_event(type, doc, text_);  // thinking, tool input
    text_ += text;
    JsonWriter d;
    d.begin_object().field("content", text).end_object();
    chunk(out, d.str(), "");
  } else if (type == "message_delta") {
    std::string_view stop = "end_turn";
    if (auto d = obj_field(doc, "delta")) stop = str_field(*d, "stop_reason").value_or(stop);
    if (auto u = obj_field(doc, "usage")) {
      counts_.update(*u);
      usage_ = counts_.to_usage();
    }
    chunk(out, "{}", finish_reason_of(stop));
  } else if (type == "message_stop") {
    if (info_.client_wants_usage && usage_) {
      JsonWriter w;
      w.begin_object().field("id", id_).field("object", "chat.completion.chunk").field("created", info_.created);
      w.field("model", model_).key("choices").begin_array().end_array().key("usage");
      write_openai_usage(w, *usage_);
      w.end_object();
      out += "data: " + w.str() + "\n\n";
    }
    out += "data: [DONE]\n\n";
  } else if (type == "error") {
    // {"type":"error","error":{"type","message"}}, re-serialised: data sent on several lines
    // would otherwise go out with its line breaks and end the client's event early.
    out += "data: " + minified(doc) + "\n\n";
  }
}

}  // namespace kt::providers::anthropic
