#include "http/head_scanner.hpp"

#include <array>

#include "http/types.hpp"

namespace kt::http {
namespace {

using ByteClass = std::array<bool, 256>;

// RFC 9110 tchar: what a method or a field name is made of.
constexpr ByteClass make_tchar() {
  ByteClass t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}

// The request line: visible ASCII and the spaces between its three parts (a target with raw
// non-ASCII bytes must be percent-encoded).
constexpr ByteClass make_request_line() {
  ByteClass t{};
  for (int c = 0x20; c < 0x7f; ++c) t[c] = true;
  return t;
}

// A field value: visible ASCII, space, tab and obs-text (0x80-0xFF); no other control byte.
constexpr ByteClass make_value() {
  ByteClass t{};
  t['\t'] = true;
  for (int c = 0x20; c < 0x7f; ++c) t[c] = true;
  for (int c = 0x80; c < 0x100; ++c) t[c] = true;
  return t;
}

constexpr ByteClass kTchar = make_tchar();
constexpr ByteClass kRequestLine = make_request_line();
constexpr ByteClass kValue = make_value();

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// 1 to 19 digits: nothing else (no sign, no list, no spaces inside), and it fits in 64 bits.
std::optional<std::uint64_t> parse_length(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

HeadScanner::Result HeadScanner::refuse(int status, std::string_view code, std::string_view message) {
  problem_ = HeadProblem{status, code, message};
  state_ = State::head_end;
  pos_ = SIZE_MAX;  // every later call answers refused
  return Result::refused;
}

HeadScanner::Result HeadScanner::scan(std::string_view data) {
  if (pos_ == SIZE_MAX) return Result::refused;
  if (end_ != 0) return Result::complete;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  // Bytes past the limit are never looked at: a head that has not ended by then is refused.
  const std::size_t stop = data.size() < limits_.max_bytes ? data.size() : limits_.max_bytes;
  while (pos_ < stop) {
    switch (state_) {
      case State::before:  // empty lines before the request line are ignored (RFC 9112 2.2)
        if (p[pos_] == '\r') {
          if (pos_ + 1 >= stop) goto out;
          if (p[pos_ + 1] != '\n') return refuse("bare CR in the request head");
          pos_ += 2;
          break;
        }
        if (!kTchar[p[pos_]]) return refuse("not an HTTP request");  // TLS, HTTP/2 binary, garbage
        begin_ = line_begin_ = pos_;
        state_ = State::request_line;
        break;
      case State::request_line:
        while (pos_ < stop && kRequestLine[p[pos_]]) ++pos_;
        if (pos_ == stop) goto out;
        if (p[pos_] != '\r') return refuse(p[pos_] == '\n' ? "bare LF in the request line" : "invalid byte in the request line");
        ++pos_;
        state_ = State::line_end;
        break;
      case State::line_start:
        if (p[pos_] == '\r') {
          ++pos_;
          state_ = State::head_end;
        } else if (p[pos_] == ' ' || p[pos_] == '\t') {
          return refuse("obsolete line folding (a header line starting with a space or tab)");
        } else if (kTchar[p[pos_]]) {
          line_begin_ = pos_;
          state_ = State::name;
        } else {
          return refuse(p[pos_] == '\n' ? "bare LF in the request head" : "invalid header name");
        }
        break;
      case State::name:
        while (pos_ < stop && kTchar[p[pos_]]) ++pos_;
        if (pos_ == stop) goto out;
        if (p[pos_] == ':') {
          colon_ = pos_++;
          state_ = State::value;
        } else if (p[pos_] == ' ' || p[pos_] == '\t') {
          return refuse("whitespace in or after a header name");
        } else if (p[pos_] == '\r' || p[pos_] == '\n') {
          return refuse("header line without a colon");
        } else {
          return refuse("invalid header name");
        }
        break;
      case State::value:
        while (pos_ < stop && kValue[p[pos_]]) ++pos_;
        if (pos_ == stop) goto out;
        if (p[pos_] != '\r') return refuse(p[pos_] == '\n' ? "bare LF in a header line" : "control byte in a header value");
        ++pos_;
        state_ = State::line_end;
        break;
      case State::line_end:
        if (p[pos_] != '\n') return refuse("bare CR in the request head");
        ++pos_;
        if (auto r = end_of_line(data); r != Result::need_more) return r;
        break;
      case State::head_end:
        if (p[pos_] != '\n') return refuse("bare CR in the request head");
        end_ = ++pos_;
        return fields_done();
    }
  }
out:
  if (pos_ >= limits_.max_bytes)
    return refuse(431, "header_too_large", "request line and headers are larger than the server accepts");
  return Result::need_more;
}

// The line that just ended with CR LF at pos_: the request line or one field.
HeadScanner::Result HeadScanner::end_of_line(std::string_view data) {
  std::string_view line = data.substr(line_begin_, pos_ - 2 - line_begin_);
  state_ = State::line_start;
  if (!request_line_seen_) {
    request_line_seen_ = true;
    return request_line_done(line);
  }
  if (++fields_ > limits_.max_fields)
    return refuse(431, "too_many_headers", "the request has more header fields than the server accepts");
  std::size_t name_len = colon_ - line_begin_;
  return field_done(line.substr(0, name_len), trim_ows(line.substr(name_len + 1)));
}

HeadScanner::Result HeadScanner::request_line_done(std::string_view line) {
  auto sp = line.rfind(' ');
  if (sp == std::string_view::npos || line.find(' ') == sp) return refuse("malformed request line");
  std::string_view version = line.substr(sp + 1);
  if (version == "HTTP/1.1") version_ = 11;
  else if (version == "HTTP/1.0") version_ = 10;
  else return refuse("unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)");
  return Result::need_more;
}

HeadScanner::Result HeadScanner::field_done(std::string_view name, std::string_view value) {
  if (iequals(name, "content-length")) {
    if (++content_length_fields_ > 1) return refuse("more than one Content-Length header");
    content_length_ = parse_length(value);
    if (!content_length_) return refuse("Content-Length is not a non-negative integer");
  } else if (iequals(name, "transfer-encoding")) {
    if (++transfer_encoding_fields_ > 1) return refuse("more than one Transfer-Encoding header");
    if (!iequals(value, "chunked")) return refuse("unsupported Transfer-Encoding (only chunked is accepted)");
    chunked_ = true;
  } else if (iequals(name, "host")) {
    if (++host_fields_ > 1) return refuse("more than one Host header");
  }
  return Result::need_more;
}

HeadScanner::Result HeadScanner::fields_done() {
  if (content_length_fields_ && transfer_encoding_fields_)
    return refuse("Content-Length together with Transfer-Encoding");
  if (version_ == 11 && host_fields_ == 0) return refuse("HTTP/1.1 request without a Host header");
  return Result::complete;
}

}  // namespace kt::http
