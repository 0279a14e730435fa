#include "core/json_writer.hpp"

#include <array>
#include <charconv>

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

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (first_.back() == 0) out_ += ',';
    first_.back() = 0;
  }
}

JsonWriter& JsonWriter::begin_object() { separate(); out_ += '{'; first_.push_back(1); return *this; }
JsonWriter& JsonWriter::end_object() { out_ += '}'; first_.pop_back(); return *this; }
JsonWriter& JsonWriter::begin_array() { separate(); out_ += '['; first_.push_back(1); return *this; }
JsonWriter& JsonWriter::end_array() { out_ += ']'; first_.pop_back(); return *this; }

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  append_json_string(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) { separate(); append_json_string(out_, s); return *this; }
JsonWriter& JsonWriter::value(int64_t n) {
  separate();
  char buf[24];
  out_.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(uint64_t n) {
  separate();
  char buf[24];
  out_.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(bool b) { separate(); out_ += b ? "true" : "false"; return *this; }
JsonWriter& JsonWriter::value(Money m) { separate(); out_ += m.to_decimal(); return *this; }
JsonWriter& JsonWriter::null() { separate(); out_ += "null"; return *this; }
JsonWriter& JsonWriter::raw(std::string_view json) { separate(); out_ += json; return *this; }
JsonWriter& JsonWriter::percent(int64_t pn) {
  separate();
  out_ += pn == 0 ? std::string("0") : Money::from_nanos(pn).to_decimal();
  return *this;
}

}  // namespace kt
