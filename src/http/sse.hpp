#pragma once
// Incremental Server-Sent Events parser. Bytes go in as they arrive; complete events come out
// with their exact raw text, so a proxy can forward an event unchanged or drop it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kt::http {

struct SseEvent {
  std::string raw;    // the event's bytes including the blank line that ends it
  std::string event;  // "event:" field ("" when absent)
  std::string data;   // "data:" lines joined with '\n'
};

// One event still incomplete past this many bytes ends the parse (overflowed()): an upstream that
// never sends the blank line must not grow the gateway's memory without bound. 1 MiB is far above
// any real event (a chunk is a few hundred bytes; a whole Responses API answer in
// response.completed rarely passes 100 KB).
inline constexpr std::size_t kMaxPendingEventBytes = 1024 * 1024;

class SseParser {
 public:
  explicit SseParser(std::size_t max_pending_bytes = kMaxPendingEventBytes) : max_pending_(max_pending_bytes) {}
  // Appends bytes; returns the events completed by them (handles \n, \r\n and \r line ends,
  // comments, fields split across feeds). Once overflowed(), returns nothing more.
  std::vector<SseEvent> feed(std::string_view bytes);
  // Bytes of an incomplete trailing event (at end of stream).
  const std::string& pending() const { return buf_; }
  // True once an incomplete event passed the bound: its bytes are dropped and the stream is to be
  // treated as failed by the upstream (events completed before it were returned as usual).
  bool overflowed() const { return overflowed_; }

 private:
  // Handles one complete line of the current event; returns true when it ends the event.
  bool take_line(std::string_view line);

  std::string buf_;           // bytes of the event in progress (raw text, from its first byte)
  size_t scan_ = 0;           // offset in buf_ of the first line not yet handled
  std::string event_;         // fields of the event in progress
  std::string data_;
  bool has_fields_ = false;   // a field or comment line was seen since the last event
  bool bom_checked_ = false;  // a UTF-8 BOM at the very start of the stream is skipped
  std::size_t max_pending_;
  bool overflowed_ = false;
};

}  // namespace kt::http
