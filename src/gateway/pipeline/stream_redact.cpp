#include "gateway/pipeline/stream_redact.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace kt::gateway {
namespace {

namespace json = boost::json;

// The data of an SSE event block ("data: x" lines joined by '\n'), and whether it has any.
bool event_data(std::string_view block, std::string& data) {
  bool any = false;
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t eol = block.find('\n', pos);
    std::string_view line = block.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? block.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (any) data += '\n';
    data += line;
    any = true;
  }
  return any;
}

void add_labels(std::vector<std::string>& into, const std::vector<std::string>& labels) {
  for (const auto& l : labels)
    if (std::find(into.begin(), into.end(), l) == into.end()) into.push_back(l);
}

OutputRedactions named(const std::vector<const policies::RequestPolicy*>& policies,
                       const std::vector<std::vector<std::string>>& labels) {
  OutputRedactions out;
  for (std::size_t i = 0; i < policies.size() && i < labels.size(); ++i)
    if (!labels[i].empty()) out.emplace_back(policies[i]->name(), labels[i]);
  return out;
}

}  // namespace

OutputRedactions redact_answer(std::string& body, const std::vector<const policies::RequestPolicy*>& policies) {
  if (policies.empty()) return {};
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  json::value* choices = ec || !doc.is_object() ? nullptr : doc.as_object().if_contains("choices");
  if (!choices || !choices->is_array()) return {};
  std::vector<std::vector<std::string>> labels(policies.size());
  bool changed = false;
  for (json::value& cv : choices->as_array()) {
    json::object* c = cv.if_object();
    json::value* message = c ? c->if_contains("message") : nullptr;
    json::value* text = message && message->is_object() ? message->as_object().if_contains("content")
                                                         : c ? c->if_contains("text") : nullptr;
    if (!text || !text->is_string()) continue;
    // The streams' redactors, fed the whole text: one behaviour, whole or streamed.
    std::string piece(text->as_string());
    for (std::size_t i = 0; i < policies.size(); ++i) {
      auto r = policies[i]->output_redactor();
      if (!r) continue;
      piece = r->feed(piece) + r->finish();
      add_labels(labels[i], r->matched());
    }
    if (piece == std::string_view(text->as_string())) continue;
    *text = piece;
    changed = true;
  }
  if (changed) body = json::serialize(doc);
  return named(policies, labels);
}

StreamRedaction::Choice& StreamRedaction::choice(int64_t index) { return choices_[index]; }

std::string StreamRedaction::pass(Choice& c, std::string_view text) {
  if (c.chain.empty())
    for (const auto* p : policies_) c.chain.push_back(p->output_redactor());
  std::string piece(text);
  for (auto& r : c.chain) piece = r->feed(piece);
  return piece;
}

// The choice's text has ended: what the redactors hold goes out; text after it (unusual) is a new
// text for new redactors.
std::string StreamRedaction::flush(Choice& c) {
  std::string piece;
  matched_.resize(policies_.size());
  for (std::size_t i = 0; i < c.chain.size(); ++i) {
    piece = c.chain[i]->feed(piece) + c.chain[i]->finish();
    add_labels(matched_[i], c.chain[i]->matched());
  }
  c.chain.clear();
  return piece;
}

OutputRedactions StreamRedaction::matched() const {
  std::vector<std::vector<std::string>> labels = matched_;
  labels.resize(policies_.size());
  for (const auto& [index, c] : choices_)  // choices whose text did not end (the stream broke off)
    for (std::size_t i = 0; i < c.chain.size(); ++i) add_labels(labels[i], c.chain[i]->matched());
  return named(policies_, labels);
}

std::string StreamRedaction::rewrite_event(std::string_view block) {
  std::string data;
  if (!event_data(block, data)) return std::string(block);
  if (data == "[DONE]") return flush_events() + std::string(block);
  boost::system::error_code ec;
  json::value doc = json::parse(data, ec);
  json::value* choices_value = ec || !doc.is_object() ? nullptr : doc.as_object().if_contains("choices");
  json::array* choices = choices_value ? choices_value->if_array() : nullptr;
  if (!choices) return std::string(block);
  bool changed = false;
  for (json::value& cv : *choices) {
    json::object* c = cv.if_object();
    if (!c) continue;
    json::object* holder = nullptr;
    const char* key = "content";
    if (json::value* delta = c->if_contains("delta"); delta && delta->is_object()) {
      holder = &delta->as_object();
    } else if (c->if_contains("text")) {
      holder = c;
      key = "text";
      completions_ = true;
    } else {
      continue;
    }
    const json::value* index = c->if_contains("index");
    Choice& state = choice(index && index->is_int64() ? index->as_int64() : 0);
    json::string* text = holder->if_contains(key) ? (*holder)[key].if_string() : nullptr;
    std::string out = text ? pass(state, *text) : std::string();
    const json::value* finish = c->if_contains("finish_reason");
    if (finish && !finish->is_null()) out += flush(state);
    if (!text && out.empty()) continue;
    (*holder)[key] = out;
    changed = true;
  }
  if (!changed) return std::string(block);
  last_chunk_ = doc.as_object();
  return "data: " + json::serialize(doc) + "\n\n";
}

std::string StreamRedaction::flush_events() {
  std::string out;
  for (auto& [index, c] : choices_) {
    if (c.chain.empty()) continue;
    std::string rest = flush(c);
    if (rest.empty()) continue;
    json::object chunk = last_chunk_;
    json::object item{{"index", index}, {"finish_reason", nullptr}};
    if (completions_) item["text"] = rest;
    else item["delta"] = json::object{{"content", rest}};
    json::array one;
    one.push_back(std::move(item));
    chunk["choices"] = std::move(one);
    chunk.erase("usage");
    out += "data: " + json::serialize(chunk) + "\n\n";
  }
  return out;
}

void StreamRedaction::on_events(std::string& events) {
  std::string out;
  std::size_t pos = 0;
  while (pos < events.size()) {
    // Blocks end at a blank line ("\n\n" or "\r\n\r\n"); the translator writes whole events.
    std::size_t end = events.find("\n\n", pos), crlf = events.find("\r\n\r\n", pos);
    std::size_t stop = std::min(end == std::string::npos ? events.size() : end + 2,
                                crlf == std::string::npos ? events.size() : crlf + 4);
    out += rewrite_event(std::string_view(events).substr(pos, stop - pos));
    pos = stop;
  }
  events = std::move(out);
}

}  // namespace kt::gateway
