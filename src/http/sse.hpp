#pragma once
// Incremental Server-Sent Events parser. Bytes go in as they arrive; complete events come out
// with their exact raw text, so a proxy can forward an event unchanged or drop it.
#include <string>
#include <string_view>
#include <vector>

namespace kt::http {

struct SseEvent {
  std::string raw;    // the event's bytes including the blank line that ends it
  std::string event;  // "event:" field ("" when absent)
  std::string data;   // "data:" lines joined with '\n'
};

class SseParser {
 public:
  // Appends bytes; returns the events completed by them (handles \n, \r\n and \r line ends,
  // comments, fields split across feeds).
  std::vector<SseEvent> feed(std::string_view bytes);
  // Bytes of an incomplete trailing event (at end of stream).
  const std::string& pending() const { return buf_; }

 private:
  std::string buf_;
};

}  // namespace kt::http
