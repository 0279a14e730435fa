#pragma once
// Checks a request head as it arrives, line by line, before Beast parses it. Beast is lenient
// where a front-end proxy may read the same bytes differently (request smuggling): it unfolds
// obs-fold lines, accepts two equal Content-Length headers or a list, ignores an unknown
// Transfer-Encoding and a missing Host, takes raw non-ASCII bytes in the target. The scanner
// refuses all of these, refuses binary garbage (a TLS ClientHello on the plain port) at its first
// byte, and caps the head's size and field count. Bytes inside a line (a control byte, a bare CR)
// are left to Beast, which refuses them; the scanner finds line ends with memchr, so it costs a
// few instructions per line, and each byte is searched once however slowly the head arrives.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kt::http {

struct HeadLimits {
  std::size_t max_bytes = 16 * 1024;  // request line + fields + the blank line
  std::size_t max_fields = 100;
};

struct HeadProblem {
  int status = 400;        // 400, or 431 for a head over the limits
  std::string_view code;   // malformed_request, header_too_large
  std::string_view message;
};

class HeadScanner {
 public:
  enum class Result { need_more, complete, refused };

  explicit HeadScanner(HeadLimits limits = {}) : limits_(limits) {}
  // `data` holds the head so far from its start (earlier calls' bytes first, unchanged); only the
  // bytes not yet seen are looked at.
  Result scan(std::string_view data);

  // Once complete: where the head starts (after empty lines sent before it) and ends (after its
  // blank line), and what it says about the body.
  std::size_t head_begin() const { return begin_; }
  std::size_t head_end() const { return end_; }
  int version() const { return version_; }  // 10 or 11
  std::optional<std::uint64_t> content_length() const { return content_length_; }
  bool chunked() const { return chunked_; }
  // Once refused: why (the status to answer, then close).
  const HeadProblem& problem() const { return problem_; }

 private:
  enum class State { before, request_line, fields };
  Result refuse(int status, std::string_view code, std::string_view message);
  Result refuse(std::string_view message) { return refuse(400, "malformed_request", message); }
  Result request_line_done(std::string_view line);
  Result field_line(std::string_view line);
  Result fields_done();

  HeadLimits limits_;
  State state_ = State::before;
  bool refused_ = false;
  std::size_t line_begin_ = 0;  // where the current line starts
  std::size_t searched_ = 0;    // the current line has no LF before this
  std::size_t begin_ = 0, end_ = 0;
  std::size_t fields_ = 0;
  int version_ = 11;
  std::optional<std::uint64_t> content_length_;
  int content_length_fields_ = 0, transfer_encoding_fields_ = 0, host_fields_ = 0;
  bool chunked_ = false;
  HeadProblem problem_;
};

}  // namespace kt::http
