#include "gateway/pipeline/answer_texts.hpp"

#include <boost/json.hpp>

namespace kt::gateway {
namespace {

namespace json = boost::json;
using providers::Route;

json::value* field(json::object* o, std::string_view key) { return o ? o->if_contains(key) : nullptr; }
json::object* object_field(json::object* o, std::string_view key) {
  json::value* v = field(o, key);
  return v ? v->if_object() : nullptr;
}
json::array* array_field(json::object* o, std::string_view key) {
  json::value* v = field(o, key);
  return v ? v->if_array() : nullptr;
}
bool has_type(const json::object& o, std::string_view type) {
  const json::value* t = o.if_contains("type");
  return t && t->is_string() && t->get_string() == type;
}
int64_t int_field(json::object* o, std::string_view key) {
  json::value* v = field(o, key);
  return v && v->is_int64() ? v->as_int64() : 0;
}
void add_string(std::vector<json::value*>& out, json::value* v) {
  if (v && v->is_string()) out.push_back(v);
}

// The `text` of each element of `blocks` that has type `type` (responses' output_text parts,
// messages' text blocks).
void typed_texts(json::array* blocks, std::string_view type, std::vector<json::value*>& out) {
  if (!blocks) return;
  for (json::value& b : *blocks)
    if (json::object* o = b.if_object(); o && has_type(*o, type)) add_string(out, o->if_contains("text"));
}

// A Responses output item (a message): its output_text parts.
void item_texts(json::object* item, std::vector<json::value*>& out) {
  typed_texts(array_field(item, "content"), "output_text", out);
}

void responses_texts(json::object* response, std::vector<json::value*>& out) {
  if (json::array* items = array_field(response, "output"))
    for (json::value& item : *items) item_texts(item.if_object(), out);
}

void chat_pieces(Route route, json::object* chunk, EventTexts& t) {
  json::array* choices = array_field(chunk, "choices");
  if (!choices) return;
  for (json::value& cv : *choices) {
    json::object* c = cv.if_object();
    if (!c) continue;
    json::object* holder = route == Route::chat ? object_field(c, "delta") : c;
    if (!holder) continue;
    const json::value* finish = c->if_contains("finish_reason");
    t.pieces.push_back({holder, route == Route::chat ? "content" : "text", {int_field(c, "index"), 0},
                        finish && !finish->is_null()});
  }
}

void responses_event(std::string_view type, json::object* ev, EventTexts& t) {
  if (type == "response.output_text.delta") {
    t.pieces.push_back({ev, "delta", {int_field(ev, "output_index"), int_field(ev, "content_index")}, false});
    return;
  }
  t.closes = type == "response.output_text.done" || type == "response.content_part.done" ||
             type == "response.output_item.done" || type == "response.completed" ||
             type == "response.incomplete" || type == "response.failed";
  if (type == "response.output_text.done") add_string(t.repeats, field(ev, "text"));
  if (json::object* part = object_field(ev, "part"); part && has_type(*part, "output_text"))
    add_string(t.repeats, part->if_contains("text"));
  item_texts(object_field(ev, "item"), t.repeats);
  responses_texts(object_field(ev, "response"), t.repeats);
}

void messages_event(std::string_view type, json::object* ev, EventTexts& t) {
  if (type == "content_block_delta") {
    json::object* delta = object_field(ev, "delta");
    if (delta && has_type(*delta, "text_delta")) t.pieces.push_back({delta, "text", {int_field(ev, "index"), 0}, false});
    return;
  }
  t.closes = type == "content_block_stop" || type == "message_delta" || type == "message_stop";
}

}  // namespace

bool has_answer_texts(Route route) { return route != Route::embeddings; }

std::vector<json::value*> answer_texts(Route route, json::value& answer) {
  std::vector<json::value*> out;
  json::object* doc = answer.if_object();
  switch (route) {
    case Route::chat:
    case Route::completions:
      if (json::array* choices = array_field(doc, "choices"))
        for (json::value& cv : *choices) {
          json::object* c = cv.if_object();
          json::object* message = object_field(c, "message");
          add_string(out, message ? message->if_contains("content") : field(c, "text"));
        }
      break;
    case Route::responses: responses_texts(doc, out); break;
    case Route::messages: typed_texts(array_field(doc, "content"), "text", out); break;
    case Route::embeddings: break;
  }
  return out;
}

EventTexts event_texts(Route route, json::value& event) {
  EventTexts t;
  json::object* ev = event.if_object();
  json::value* type = field(ev, "type");
  std::string_view type_name = type && type->is_string() ? std::string_view(type->get_string()) : std::string_view();
  switch (route) {
    case Route::chat:
    case Route::completions: chat_pieces(route, ev, t); break;
    case Route::responses: responses_event(type_name, ev, t); break;
    case Route::messages: messages_event(type_name, ev, t); break;
    case Route::embeddings: break;
  }
  return t;
}

std::string held_text_block(Route route, const json::object& last, TextSlot slot, std::string text) {
  json::object ev;
  std::string_view name;
  switch (route) {
    case Route::chat:
    case Route::completions: {
      ev = last;  // id, model, created: as the choice's last chunk
      json::object item{{"index", slot.first}, {"finish_reason", nullptr}};
      if (route == Route::chat) item["delta"] = json::object{{"content", std::move(text)}};
      else item["text"] = std::move(text);
      ev["choices"] = json::array{std::move(item)};
      ev.erase("usage");
      break;
    }
    case Route::responses:
      ev = last;  // item_id, output_index, content_index (and sequence_number) as the last delta's
      ev["delta"] = std::move(text);
      name = "response.output_text.delta";
      break;
    case Route::messages:
      ev = json::object{{"type", "content_block_delta"}, {"index", slot.first},
                        {"delta", json::object{{"type", "text_delta"}, {"text", std::move(text)}}}};
      name = "content_block_delta";
      break;
    case Route::embeddings: break;
  }
  std::string block = name.empty() ? std::string() : "event: " + std::string(name) + "\n";
  return block + "data: " + json::serialize(ev) + "\n\n";
}

}  // namespace kt::gateway
