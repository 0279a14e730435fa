#include "core/json_writer.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstring>

namespace kt {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is malformed
// (overlong, surrogate, beyond U+10FFFF, truncated).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  unsigned char c = byte(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

namespace {
// Bytes a JSON string cannot carry as they are: control bytes, '"', '\\', and non-ASCII (checked
// as UTF-8). Everything else is copied in runs.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return t;
}();
}  // namespace

bool needs_no_escaping(std::string_view s) {
  // Eight bytes at a time (SWAR): a byte >= 0x80 sets its top bit; "below 0x20", '"' and '\\' are
  // found with the classic has-less / has-zero tests, exact as a yes/no for the whole word.
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const char* p = s.data();
  size_t i = 0, n = s.size();
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
    uint64_t control = x - kOnes * 0x20;
    if ((x | (control & ~x) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHigh) return false;
  }
  for (; i < n; ++i)
    if (kSpecial[static_cast<unsigned char>(p[i])]) return false;
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0, run = 0;
  for (;;) {
    while (i < n && !kSpecial[static_cast<unsigned char>(p[i])]) ++i;
    if (i > run) out.append(p + run, i - run);
    if (i == n) break;
    unsigned char c = static_cast<unsigned char>(p[i]);
    size_t taken = 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
          out.append(esc, sizeof esc);
        } else if (size_t len = utf8_sequence_length(s, i); len > 0) {
          out.append(p + i, len);
          taken = len;
        } else {
          // Untrusted text (model names, upstream errors) may hold invalid UTF-8; emitting it raw
          // would make the whole document unparseable, so each bad byte becomes U+FFFD.
          out += "\\ufffd";
        }
    }
    i += taken;
    run = i;
  }
  out += '"';
}

void JsonWriter::grow(size_t n) {
  // Doubling, so a long document is zero-filled and copied O(1) times per byte.
  out_.resize(std::max({out_.size() * 2, len_ + n, size_t{256}}));
}

// The slow path: a string that needs escaping goes through append_json_string on the document
// cut to its length, then the room past it is made again.
void JsonWriter::append_escaped(std::string_view s) {
  char* p = room(1);
  len_ += static_cast<size_t>(put_separator(p) - p);
  out_.resize(len_);
  append_json_string(out_, s);
  len_ = out_.size();
  out_.resize(out_.capacity());
}

// Most keys and many values are short and need no escaping: separator, quotes, text (and the
// key's colon) then go in with one bounds check.
bool JsonWriter::append_plain(std::string_view s, bool as_key) {
  if (!needs_no_escaping(s)) return false;
  char* p = room(s.size() + 4);
  char* at = put_separator(p);
  *at++ = '"';
  if (!s.empty()) std::memcpy(at, s.data(), s.size());  // an empty view's data() may be null
  at += s.size();
  *at++ = '"';
  if (as_key) *at++ = ':';
  len_ += static_cast<size_t>(at - p);
  return true;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  if (!append_plain(k, true)) {
    append_escaped(k);
    *room(1) = ':';
    ++len_;
  }
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  if (!append_plain(s, false)) append_escaped(s);
  return *this;
}

template <class Integer>
JsonWriter& JsonWriter::integer(Integer n) {
  char* p = room(24);
  char* at = put_separator(p);
  at = std::to_chars(at, p + 24, n).ptr;
  len_ += static_cast<size_t>(at - p);
  return *this;
}
JsonWriter& JsonWriter::value(int64_t n) { return integer(n); }
JsonWriter& JsonWriter::value(uint64_t n) { return integer(n); }
JsonWriter& JsonWriter::value(Money m) {
  char* p = room(Money::kMaxDecimalLength + 1);
  char* at = put_separator(p);
  len_ += static_cast<size_t>(at - p) + m.write_decimal(at);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  char* p = room(json.size() + 1);
  char* at = put_separator(p);
  if (!json.empty()) std::memcpy(at, json.data(), json.size());
  len_ += static_cast<size_t>(at - p) + json.size();
  return *this;
}
JsonWriter& JsonWriter::percent(int64_t pn) { return raw(pn == 0 ? std::string("0") : Money::from_nanos(pn).to_decimal()); }

}  // namespace kt
