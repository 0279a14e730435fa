#pragma once
// HTTP/1.1 message heads written as flat text, so that a head and its body leave in one gathered
// write of two buffers. (Beast's serializer walks a buffer sequence of four pieces per field, and
// re-walks it on every partial write: ~10 % of the gateway's instructions went there.)
#include <string>
#include <string_view>

namespace kt::http {

class HeadWriter {
 public:
  HeadWriter() { out_.reserve(256); }
  // "HTTP/1.1 200 OK"
  HeadWriter& status_line(int status);
  // "POST /v1/chat/completions HTTP/1.1"
  HeadWriter& request_line(std::string_view method, std::string_view target);
  // A CR or LF in a name or value would split the head: each becomes a space.
  HeadWriter& field(std::string_view name, std::string_view value);
  HeadWriter& content_length(std::size_t n);
  // The head, with its closing empty line.
  std::string finish();

 private:
  void append_clean(std::string_view text);
  std::string out_;
};

// Whether a response with this status carries a body (and so a Content-Length).
bool status_has_body(int status);

}  // namespace kt::http
