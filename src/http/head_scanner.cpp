#include "http/head_scanner.hpp"

#include <array>
#include <cstring>

#include "http/types.hpp"  // iequals

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
constexpr ByteClass kTchar = make_tchar();

bool is_tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

// `name` (as long as `lower`) is `lower` in any case. OR-ing 0x20 lower-cases letters and keeps
// '-'; the only other byte it maps onto '-' or a letter is CR, which never gets this far.
inline bool named(std::string_view name, std::string_view lower) {
  unsigned diff = 0;
  for (std::size_t i = 0; i < lower.size(); ++i) diff |= static_cast<unsigned>((name[i] | 0x20) ^ lower[i]);
  return diff == 0;
}

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
  refused_ = true;
  return Result::refused;
}

HeadScanner::Result HeadScanner::scan(std::string_view data) {
  if (refused_) return Result::refused;
  if (end_ != 0) return Result::complete;
  // Bytes past the limit are never looked at: a head that has not ended by then is refused.
  const std::size_t stop = data.size() < limits_.max_bytes ? data.size() : limits_.max_bytes;
  if (state_ == State::before) {  // empty lines before the request line are ignored (RFC 9112 2.2)
    while (line_begin_ + 1 < stop && data[line_begin_] == '\r' && data[line_begin_ + 1] == '\n') line_begin_ += 2;
    if (line_begin_ >= limits_.max_bytes) return refuse(431, "header_too_large", "too many empty lines before the request");
    if (line_begin_ >= stop || (data[line_begin_] == '\r' && line_begin_ + 1 >= stop)) return Result::need_more;
    if (!is_tchar(data[line_begin_])) return refuse("not an HTTP request");  // TLS, HTTP/2 binary, garbage
    begin_ = searched_ = line_begin_;
    state_ = State::request_line;
  }
  while (searched_ < stop) {
    const void* lf = std::memchr(data.data() + searched_, '\n', stop - searched_);
    if (!lf) {
      searched_ = stop;
      break;
    }
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(lf) - data.data());
    std::string_view line = data.substr(line_begin_, at - line_begin_);
    line_begin_ = searched_ = at + 1;
    if (line.empty() || line.back() != '\r') return refuse("bare LF in the request head");
    line.remove_suffix(1);
    if (std::memchr(line.data(), '\r', line.size())) return refuse("bare CR in the request head");
    Result r;
    if (state_ == State::request_line) {
      state_ = State::fields;
      r = request_line_done(line);
    } else if (line.empty()) {
      end_ = at + 1;
      return fields_done();
    } else {
      r = field_line(line);
    }
    if (r != Result::need_more) return r;
  }
  if (searched_ >= limits_.max_bytes)
    return refuse(431, "header_too_large", "request line and headers are larger than the server accepts");
  return Result::need_more;
}

HeadScanner::Result HeadScanner::request_line_done(std::string_view line) {
  // Visible ASCII and spaces only: Beast would take raw non-ASCII bytes in the target. (No early
  // exit: the loop vectorizes.)
  bool bad = false;
  for (char c : line) bad |= static_cast<unsigned char>(c - 0x20) > 0x5e;
  if (bad) return refuse("invalid byte in the request line");
  auto sp = line.rfind(' ');
  if (sp == std::string_view::npos || line.find(' ') == sp) return refuse("malformed request line");
  std::string_view version = line.substr(sp + 1);
  if (version == "HTTP/1.1") version_ = 11;
  else if (version == "HTTP/1.0") version_ = 10;
  else return refuse("unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)");
  return Result::need_more;
}

HeadScanner::Result HeadScanner::field_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t')
    return refuse("obsolete line folding (a header line starting with a space or tab)");
  if (++fields_ > limits_.max_fields)
    return refuse(431, "too_many_headers", "the request has more header fields than the server accepts");
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return refuse("header line without a colon");
  // The name's other bytes are Beast's to check (it refuses "Host : x"), except that a name
  // ending in whitespace must not pass for one of the three fields below.
  const std::string_view name = line.substr(0, colon);
  if (name.empty()) return refuse("invalid header name");
  if (name.back() == ' ' || name.back() == '\t') return refuse("whitespace in or after a header name");
  const std::string_view value = trim_ows(line.substr(colon + 1));
  switch (name.size()) {  // the three fields that frame a request, compared only when the length fits
    case 4:
      if (named(name, "host") && ++host_fields_ > 1) return refuse("more than one Host header");
      break;
    case 14:
      if (!named(name, "content-length")) break;
      if (++content_length_fields_ > 1) return refuse("more than one Content-Length header");
      content_length_ = parse_length(value);
      if (!content_length_) return refuse("Content-Length is not a non-negative integer");
      break;
    case 17:
      if (!named(name, "transfer-encoding")) break;
      if (++transfer_encoding_fields_ > 1) return refuse("more than one Transfer-Encoding header");
      if (!iequals(value, "chunked")) return refuse("unsupported Transfer-Encoding (only chunked is accepted)");
      chunked_ = true;
      break;
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
