#include "gateway/pipeline/stream_redact.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace kt::gateway {
namespace {

namespace json = boost::json;
using providers::Route;

// Calls fn(line) for each line of an SSE block, without its line ending.
template <typename Fn>
void for_each_line(std::string_view block, Fn fn) {
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t eol = block.find('\n', pos);
    std::string_view line = block.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? block.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
  }
}

bool is_data(std::string_view line) { return line.substr(0, 5) == "data:"; }

// The data of an SSE event block ("data: x" lines joined by '\n'), and whether it has any.
bool event_data(std::string_view block, std::string& data) {
  bool any = false;
  for_each_line(block, [&](std::string_view line) {
    if (!is_data(line)) return;
    line.remove_prefix(5);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (any) data += '\n';
    data += line;
    any = true;
  });
  return any;
}

// The block with its data replaced; its other lines (event:, id:) kept.
std::string with_data(std::string_view block, std::string_view data) {
  std::string out;
  for_each_line(block, [&](std::string_view line) {
    if (line.empty() || is_data(line)) return;
    out += line;
    out += '\n';
  });
  return out + "data: " + std::string(data) + "\n\n";
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

// A whole text through fresh redactors (the streams' own, fed everything at once: one behaviour,
// whole or streamed); whether it changed.
bool redact_whole(json::value& text, const std::vector<const policies::RequestPolicy*>& policies,
                  std::vector<std::vector<std::string>>& labels) {
  labels.resize(policies.size());
  std::string piece(text.as_string());
  for (std::size_t i = 0; i < policies.size(); ++i) {
    auto r = policies[i]->output_redactor();
    if (!r) continue;
    piece = r->feed(piece) + r->finish();
    add_labels(labels[i], r->matched());
  }
  if (piece == std::string_view(text.as_string())) return false;
  text = piece;
  return true;
}

}  // namespace

OutputRedactions redact_answer(Route route, std::string& body,
                               const std::vector<const policies::RequestPolicy*>& policies) {
  if (policies.empty() || !has_answer_texts(route)) return {};
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return {};
  std::vector<std::vector<std::string>> labels;
  bool changed = false;
  for (json::value* text : answer_texts(route, doc)) changed = redact_whole(*text, policies, labels) || changed;
  if (changed) body = json::serialize(doc);
  return named(policies, labels);
}

StreamRedaction::StreamRedaction(Route route, std::vector<const policies::RequestPolicy*> policies)
    : route_(route), policies_(has_answer_texts(route) ? std::move(policies) : std::vector<const policies::RequestPolicy*>{}) {
  matched_.resize(policies_.size());
}

std::string StreamRedaction::pass(Text& t, std::string_view piece) {
  if (t.chain.empty())
    for (const auto* p : policies_) t.chain.push_back(p->output_redactor());
  std::string out(piece);
  for (auto& r : t.chain) out = r->feed(out);
  return out;
}

// The text has ended: what the redactors hold goes out; text after it (unusual) is a new text
// for new redactors.
std::string StreamRedaction::flush(Text& t) {
  std::string piece;
  for (std::size_t i = 0; i < t.chain.size(); ++i) {
    piece = t.chain[i]->feed(piece) + t.chain[i]->finish();
    add_labels(matched_[i], t.chain[i]->matched());
  }
  t.chain.clear();
  return piece;
}

OutputRedactions StreamRedaction::matched() const {
  std::vector<std::vector<std::string>> labels = matched_;
  for (const auto& [slot, t] : texts_)  // texts that did not end (the stream broke off)
    for (std::size_t i = 0; i < t.chain.size(); ++i) add_labels(labels[i], t.chain[i]->matched());
  return named(policies_, labels);
}

std::string StreamRedaction::rewrite_event(std::string_view block) {
  std::string data;
  if (!event_data(block, data)) return std::string(block);
  if (data == "[DONE]") return flush_events() + std::string(block);
  boost::system::error_code ec;
  json::value doc = json::parse(data, ec);
  if (ec) return std::string(block);
  EventTexts found = event_texts(route_, doc);
  std::string out = found.closes ? flush_events() : std::string();
  std::vector<TextSlot> shaped;  // the slots this event gives their extra event's shape
  for (const StreamPiece& p : found.pieces) {
    Text& t = texts_[p.slot];
    json::value* value = p.holder->if_contains(p.key);
    json::string* text = value ? value->if_string() : nullptr;
    std::string redacted = text ? pass(t, *text) : std::string();
    if (p.ends) redacted += flush(t);
    if (!text && redacted.empty()) continue;
    (*p.holder)[p.key] = std::move(redacted);
    shaped.push_back(p.slot);
  }
  bool changed = !shaped.empty();
  for (json::value* text : found.repeats) changed = redact_whole(*text, policies_, matched_) || changed;
  if (!changed) return out + std::string(block);
  for (const TextSlot& slot : shaped) texts_[slot].last_event = doc.as_object();
  return out + with_data(block, json::serialize(doc));
}

std::string StreamRedaction::flush_events() {
  std::string out;
  for (auto& [slot, t] : texts_) {
    if (t.chain.empty()) continue;
    std::string rest = flush(t);
    if (!rest.empty()) out += held_text_block(route_, t.last_event, slot, std::move(rest));
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
