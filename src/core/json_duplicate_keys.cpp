#include "core/json_duplicate_keys.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace kt {
namespace {

// Up to this many keys an object's keys are compared one by one (typical bodies); past it they go
// into a hash set, so a body with 100,000 keys in one object stays linear.
constexpr std::size_t kLinearKeys = 16;

// The hash set of one object with many keys (a decision event has ~45): open addressing over
// string_views, kept by the thread between calls, so a warm check allocates nothing (a node-based
// set cost a decision event ~25k instructions, most of the API's parse of a shipped record).
class KeySet {
 public:
  void reset() {
    slots_.assign(64, std::string_view());
    used_ = 0;
  }
  // false: `k` was already there.
  bool insert(std::string_view k) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    if (!place(slots_, k)) return false;
    ++used_;
    return true;
  }
  std::size_t capacity() const { return slots_.capacity(); }

 private:
  // A slot whose data() is null is free: a key's view always points into the text or a copy.
  static bool place(std::vector<std::string_view>& slots, std::string_view k) {
    std::size_t mask = slots.size() - 1, i = std::hash<std::string_view>{}(k) & mask;
    for (; slots[i].data() != nullptr; i = (i + 1) & mask)
      if (slots[i] == k) return false;
    slots[i] = k;
    return true;
  }
  void grow() {
    std::vector<std::string_view> bigger(slots_.size() * 2);
    for (std::string_view k : slots_)
      if (k.data() != nullptr) place(bigger, k);
    slots_.swap(bigger);
  }
  std::vector<std::string_view> slots_;
  std::size_t used_ = 0;
};

// Bytes that may appear unescaped inside a JSON string, other than the closing quote.
constexpr std::array<bool, 256> kPlainStringByte = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c >= 0x20 && c != '"' && c != '\\';
  return t;
}();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint32_t hex4(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v * 16 + uint32_t(hex_value(p[i]));
  return v;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// The text of an already validated string body with its escapes resolved (a surrogate pair
// becomes one code point; a lone surrogate is kept as its own 3-byte sequence, consistently).
std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp = hex4(raw.data() + i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
          uint32_t low = hex4(raw.data() + i + 3);
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e;  // '"', '\\', '/'
    }
  }
  return out;
}

struct Frame {
  bool object = false;
  std::size_t keys_begin = 0;  // object: where its keys start in Scanner::keys_
  std::size_t index = 0;       // array: the element being read
  std::string_view key;        // object: the key whose value is being read
  KeySet* many = nullptr;      // object past kLinearKeys keys: its set (Scanner::sets_, stacked)
};

// A thread's buffers, kept between calls.
struct ScanBuffers {
  std::vector<Frame> frames;
  std::vector<std::string_view> keys;
  std::vector<std::unique_ptr<KeySet>> sets;  // stacked like the frames that use them
};

class Scanner {
 public:
  // The buffers are the thread's own, kept between calls: a check allocates nothing once warm.
  // grammar_only: validation alone (is_json): no key is recorded, no number is checked against
  // simdjson's limits.
  Scanner(std::string_view json, ScanBuffers& buffers, bool grammar_only = false)
      : p_(json.data()), end_(json.data() + json.size()), grammar_only_(grammar_only), frames_(buffers.frames),
        keys_(buffers.keys), sets_(buffers.sets) {
    frames_.clear();
    keys_.clear();
  }

  JsonKeyCheck run() {
    skip_ws();
    for (;;) {
      if (p_ >= end_) return malformed();
      switch (*p_) {
        case '{':
        case '[': {
          bool object = *p_ == '{';
          if (frames_.size() >= kMaxJsonDepth) return malformed();
          ++p_;
          frames_.push_back(Frame{object, keys_.size(), 0, {}, nullptr});
          skip_ws();
          if (p_ < end_ && *p_ == (object ? '}' : ']')) {
            ++p_;
            frames_.pop_back();
            break;  // an empty container is a complete value
          }
          if (object)
            if (auto stop = key()) return *stop;
          continue;  // read the first member's value
        }
        case '"': {
          bool escaped = false;
          std::string_view raw;
          if (!string(raw, escaped)) return malformed();
          break;
        }
        case 't':
          if (!literal("true")) return malformed();
          break;
        case 'f':
          if (!literal("false")) return malformed();
          break;
        case 'n':
          if (!literal("null")) return malformed();
          break;
        default:
          if (!number()) return malformed();
      }
      // A value is complete: close the containers that end here, then go on to the next value.
      for (;;) {
        skip_ws();
        if (frames_.empty()) return p_ == end_ ? JsonKeyCheck{JsonKeyCheck::Status::ok, {}, simdjson_refuses_} : malformed();
        if (p_ >= end_) return malformed();
        Frame& f = frames_.back();
        if (*p_ == ',') {
          ++p_;
          skip_ws();
          if (!f.object) ++f.index;
          else if (auto stop = key()) return *stop;
          break;
        }
        if (*p_ != (f.object ? '}' : ']')) return malformed();
        ++p_;
        keys_.resize(f.keys_begin);
        if (f.many) --sets_open_;
        frames_.pop_back();
      }
    }
  }

 private:
  static JsonKeyCheck malformed() { return {JsonKeyCheck::Status::malformed, {}}; }

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(std::string_view word) {
    if (std::size_t(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool digits() {
    if (p_ >= end_ || !is_digit(*p_)) return false;
    while (p_ < end_ && is_digit(*p_)) ++p_;
    return true;
  }

  bool number() {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ < end_ && *p_ == '0') ++p_;
    else if (!digits()) return false;
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_, integer = false;
      if (!digits()) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_, integer = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    if (!grammar_only_ && !representable(std::string_view(start, size_t(p_ - start)), integer)) simdjson_refuses_ = true;
    return true;
  }

  // Whether simdjson holds it: an integer within 64 bits, a float within a double's range.
  static bool representable(std::string_view text, bool integer) {
    if (integer) {
      const char* end = text.data() + text.size();
      if (text.front() == '-') {
        int64_t v;
        return std::from_chars(text.data(), end, v).ec == std::errc();
      }
      uint64_t v;
      return std::from_chars(text.data(), end, v).ec == std::errc();
    }
    // Without an exponent, a double holds any magnitude below 1e308 (most numbers: 0.7, 12.5).
    if (text.find_first_of("eE") == std::string_view::npos && text.find('.') <= 308) return true;
    std::string copy(text);  // strtod wants a terminated string; underflow (to 0) is fine
    return !std::isinf(std::strtod(copy.c_str(), nullptr));
  }

  // The UTF-16 code unit of the `\uXXXX` at `at`, or -1 when there is none.
  int code_unit(const char* at) const {
    if (end_ - at < 6 || at[0] != '\\' || at[1] != 'u') return -1;
    int unit = 0;
    for (int i = 2; i < 6; ++i) {
      int h = hex_value(at[i]);
      if (h < 0) return -1;
      unit = unit * 16 + h;
    }
    return unit;
  }

  // At the opening quote; leaves p_ past the closing one. `raw` is the text between the quotes.
  bool string(std::string_view& raw, bool& escaped) {
    const char* start = ++p_;
    for (;;) {
      skip_plain();
      if (p_ >= end_) return false;
      if (*p_ == '"') {
        raw = std::string_view(start, std::size_t(p_ - start));
        ++p_;
        return true;
      }
      if (*p_ != '\\') return false;  // a raw control character
      escaped = true;
      if (++p_ >= end_) return false;
      switch (*p_) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          ++p_;
          break;
        case 'u': {
          int unit = code_unit(p_ - 1);
          if (unit < 0) return false;
          p_ += 5;
          // A surrogate that is not half of a pair is grammatical; simdjson refuses it.
          if (unit >= 0xDC00 && unit <= 0xDFFF) simdjson_refuses_ = true;
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            int low = code_unit(p_);
            if (low >= 0xDC00 && low <= 0xDFFF) p_ += 6;
            else simdjson_refuses_ = true;
          }
          break;
        }
        default:
          return false;
      }
    }
  }

  // Moves p_ to the next quote, backslash or control character of a string's text (or the end),
  // 16 bytes at a time where SSE2 is there (every x86-64): most of a body is prompt text.
  void skip_plain() {
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
    while (end_ - p_ >= 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                     _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));  // v <= 0x1F
      if (int mask = _mm_movemask_epi8(special)) {
        p_ += __builtin_ctz(unsigned(mask));
        return;
      }
      p_ += 16;
    }
#endif
    while (p_ < end_ && kPlainStringByte[static_cast<unsigned char>(*p_)]) ++p_;
  }

  // Reads `"key" :` of the innermost object; a duplicate or malformed text stops the scan.
  std::optional<JsonKeyCheck> key() {
    if (p_ >= end_ || *p_ != '"') return malformed();
    std::string_view raw;
    bool escaped = false;
    if (!string(raw, escaped)) return malformed();
    if (!grammar_only_) {
      std::string_view k = raw;
      if (escaped) k = *owned_.emplace_back(std::make_unique<std::string>(unescape(raw)));
      Frame& f = frames_.back();
      f.key = k;
      if (is_repeated(f, k)) return JsonKeyCheck{JsonKeyCheck::Status::duplicate, path()};
    }
    skip_ws();
    if (p_ >= end_ || *p_ != ':') return malformed();
    ++p_;
    skip_ws();
    return std::nullopt;
  }

  // Whether `k` is already a key of `f`; records it otherwise.
  bool is_repeated(Frame& f, std::string_view k) {
    if (f.many) return !f.many->insert(k);
    for (std::size_t i = f.keys_begin; i < keys_.size(); ++i)
      if (keys_[i] == k) return true;
    keys_.push_back(k);
    if (keys_.size() - f.keys_begin > kLinearKeys) {
      if (sets_open_ == sets_.size()) sets_.push_back(std::make_unique<KeySet>());
      f.many = sets_[sets_open_++].get();
      f.many->reset();
      for (std::size_t i = f.keys_begin; i < keys_.size(); ++i) f.many->insert(keys_[i]);
      keys_.resize(f.keys_begin);
    }
    return false;
  }

  // "messages[0].content": the keys and indexes leading to the current position.
  std::string path() const {
    std::string out;
    for (const Frame& f : frames_) {
      if (!f.object) {
        out += '[' + std::to_string(f.index) + ']';
        continue;
      }
      if (!out.empty()) out += '.';
      out += f.key;
    }
    return out;
  }

  const char* p_;
  const char* end_;
  const bool grammar_only_;
  bool simdjson_refuses_ = false;
  std::vector<Frame>& frames_;
  std::vector<std::string_view>& keys_;              // keys of the open objects, innermost last
  std::vector<std::unique_ptr<KeySet>>& sets_;       // sets of the open objects with many keys
  std::size_t sets_open_ = 0;
  std::vector<std::unique_ptr<std::string>> owned_;  // unescaped keys (rare)
};

}  // namespace

namespace {

JsonKeyCheck scan(std::string_view json, bool grammar_only) {
  thread_local ScanBuffers buffers;
  JsonKeyCheck result = Scanner(json, buffers, grammar_only).run();
  // A deep or wide body's buffers are not kept.
  if (buffers.frames.capacity() > 64) std::vector<Frame>().swap(buffers.frames);
  if (buffers.keys.capacity() > 1024) std::vector<std::string_view>().swap(buffers.keys);
  if (buffers.sets.size() > 4) buffers.sets.resize(4);
  for (auto& set : buffers.sets)
    if (set->capacity() > 4096) set = std::make_unique<KeySet>();
  return result;
}

}  // namespace

JsonKeyCheck check_json_keys(std::string_view json) { return scan(json, false); }

bool is_json(std::string_view json) { return scan(json, true).status != JsonKeyCheck::Status::malformed; }

}  // namespace kt
