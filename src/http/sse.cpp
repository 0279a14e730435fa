#include "http/sse.hpp"

namespace kt::http {

// One event is complete at a blank line. An event made only of comments (": keep-alive") is
// returned too, with empty event and data, so a proxy can forward it; consumers that only care
// about data should skip events whose data is empty. Blank lines with nothing before them are
// consumed without producing an event.
std::vector<SseEvent> SseParser::feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  if (overflowed_) return out;
  buf_.append(bytes);
  if (!bom_checked_) {
    if (buf_.size() < 3 && std::string_view("\xEF\xBB\xBF").substr(0, buf_.size()) == buf_) return out;
    bom_checked_ = true;
    if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) buf_.erase(0, 3);
  }
  size_t consumed = 0;  // bytes of buf_ that belong to events already returned
  while (scan_ < buf_.size()) {
    // A plain loop: std::string::find_first_of calls memchr over the set once per byte.
    size_t end = scan_;
    const char* d = buf_.data();
    while (end < buf_.size() && d[end] != '\n' && d[end] != '\r') ++end;
    if (end == buf_.size()) break;
    size_t next = end + 1;
    if (buf_[end] == '\r') {
      // A CR may be the first half of CRLF: wait for the next byte to know.
      if (next == buf_.size()) break;
      if (buf_[next] == '\n') ++next;
    }
    std::string_view line(buf_.data() + scan_, end - scan_);
    scan_ = next;
    if (!take_line(line)) continue;
    if (has_fields_) {
      SseEvent ev;
      ev.raw.assign(buf_, consumed, next - consumed);
      ev.event = std::move(event_);
      if (!data_.empty()) data_.pop_back();  // the '\n' after the last data line
      ev.data = std::move(data_);
      out.push_back(std::move(ev));
    }
    event_.clear();
    data_.clear();
    has_fields_ = false;
    consumed = next;
  }
  if (consumed > 0) {
    buf_.erase(0, consumed);
    scan_ -= consumed;
  }
  if (buf_.size() > max_pending_) {
    overflowed_ = true;
    std::string().swap(buf_);
    std::string().swap(data_);
    event_.clear();
    scan_ = 0;
  }
  return out;
}

bool SseParser::take_line(std::string_view line) {
  if (line.empty()) return true;
  has_fields_ = true;
  if (line.front() == ':') return false;  // comment
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    event_.assign(value);
  }
  return false;  // id, retry and unknown fields do not matter to us
}

}  // namespace kt::http
