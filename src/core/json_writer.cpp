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

size_t JsonWriter::separator(char* at) {
  if (after_key_) {
    after_key_ = false;
    return 0;
  }
  if (first_.empty()) return 0;
  char& first = first_.back();
  size_t n = 0;
  if (first == 0) at[n++] = ',';
  first = 0;
  return n;
}

void JsonWriter::separate() {
  char c;
  if (separator(&c)) out_ += c;
}

// Most keys and many values are short and need no escaping: separator, quotes, text (and the
// key's colon) then go in with one append.
bool JsonWriter::append_plain(std::string_view s, bool as_key) {
  constexpr size_t kMax = 120;
  if (s.size() > kMax) return false;
  for (unsigned char c : s)
    if (kSpecial[c]) return false;
  char buf[kMax + 4];
  size_t n = separator(buf);
  buf[n++] = '"';
  if (!s.empty()) std::memcpy(buf + n, s.data(), s.size());  // an empty view's data() may be null
  n += s.size();
  buf[n++] = '"';
  if (as_key) buf[n++] = ':';
  out_.append(buf, n);
  return true;
}

JsonWriter& JsonWriter::begin_object() { separate(); out_ += '{'; first_.push_back(1); return *this; }
JsonWriter& JsonWriter::end_object() { out_ += '}'; first_.pop_back(); return *this; }
JsonWriter& JsonWriter::begin_array() { separate(); out_ += '['; first_.push_back(1); return *this; }
JsonWriter& JsonWriter::end_array() { out_ += ']'; first_.pop_back(); return *this; }

JsonWriter& JsonWriter::key(std::string_view k) {
  if (!append_plain(k, true)) {
    separate();
    append_json_string(out_, k);
    out_ += ':';
  }
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::literal_key(std::string_view k) {
  // The sanitizer build (assertions on) runs every test: a literal that needs escaping fails there.
  assert(std::none_of(k.begin(), k.end(), [](char c) { return kSpecial[static_cast<unsigned char>(c)]; }));
  constexpr size_t kMax = 120;
  if (k.size() > kMax) return key(k);
  char buf[kMax + 4];
  size_t n = separator(buf);
  buf[n++] = '"';
  std::memcpy(buf + n, k.data(), k.size());
  n += k.size();
  buf[n++] = '"';
  buf[n++] = ':';
  out_.append(buf, n);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  if (!append_plain(s, false)) {
    separate();
    append_json_string(out_, s);
  }
  return *this;
}
template <class Integer>
JsonWriter& JsonWriter::integer(Integer n) {
  char buf[32];
  size_t at = separator(buf);
  out_.append(buf, static_cast<size_t>(std::to_chars(buf + at, buf + sizeof buf, n).ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(int64_t n) { return integer(n); }
JsonWriter& JsonWriter::value(uint64_t n) { return integer(n); }
JsonWriter& JsonWriter::value(bool b) { return literal(b ? "true" : "false"); }
JsonWriter& JsonWriter::value(Money m) { separate(); out_ += m.to_decimal(); return *this; }
JsonWriter& JsonWriter::null() { return literal("null"); }

JsonWriter& JsonWriter::literal(std::string_view text) {
  char buf[8];
  size_t n = separator(buf);
  std::memcpy(buf + n, text.data(), text.size());
  out_.append(buf, n + text.size());
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view json) { separate(); out_ += json; return *this; }
JsonWriter& JsonWriter::percent(int64_t pn) {
  separate();
  out_ += pn == 0 ? std::string("0") : Money::from_nanos(pn).to_decimal();
  return *this;
}

}  // namespace kt
