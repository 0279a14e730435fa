#pragma once
// A small streaming JSON writer. Money is written as an exact decimal literal (never via double),
// which Boost.JSON cannot do; everything we emit (events, API replies, error envelopes) uses this.
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/money.hpp"

namespace kt {

// True when s can go between quotes as it is (no control byte, quote, backslash or non-ASCII).
bool needs_no_escaping(std::string_view s);

class JsonWriter {
 public:
  JsonWriter() = default;
  // Starts with room for a document of about this size (events are built per request).
  explicit JsonWriter(size_t expected_size) { out_.resize(expected_size); }
  JsonWriter(const JsonWriter&) = default;
  JsonWriter& operator=(const JsonWriter&) = default;
  // A moved-from writer is empty (its length goes with its buffer).
  JsonWriter(JsonWriter&& o) noexcept
      : out_(std::move(o.out_)), len_(std::exchange(o.len_, 0)), first_(std::move(o.first_)), after_key_(o.after_key_) {}
  JsonWriter& operator=(JsonWriter&& o) noexcept {
    out_ = std::move(o.out_);
    len_ = std::exchange(o.len_, 0);
    first_ = std::move(o.first_);
    after_key_ = o.after_key_;
    return *this;
  }
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k);
  // A key spelled in the code (a string literal): ours, so it needs no escaping and is not scanned
  // for it, and its length is known here (a decision event writes ~70 keys).
  template <std::size_t N>
  JsonWriter& key(const char (&k)[N]) {
    static_assert(N >= 1 && N <= 128, "a literal key");
    // The sanitizer build (assertions on) runs every test: a literal that needs escaping fails there.
    assert(needs_no_escaping(std::string_view(k, N - 1)));
    char* p = room(N + 3);
    char* at = put_separator(p);
    *at++ = '"';
    std::memcpy(at, k, N - 1);
    at += N - 1;
    *at++ = '"';
    *at++ = ':';
    len_ += static_cast<size_t>(at - p);
    after_key_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t n);
  JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(uint64_t n);
  JsonWriter& value(bool b) { return b ? literal("true", 4) : literal("false", 5); }
  JsonWriter& value(Money m);  // exact decimal number
  JsonWriter& null() { return literal("null", 4); }
  // Inserts already-serialised JSON (e.g. a stored event) as one value.
  JsonWriter& raw(std::string_view json);
  // Writes a percent_nanos value as an exact decimal number.
  JsonWriter& percent(int64_t percent_nanos);

  template <class K, class T>
  JsonWriter& field(const K& k, const T& v) { key(k); return value(v); }

  const std::string& str() const {
    out_.resize(len_);
    return out_;
  }
  std::string take() {
    out_.resize(len_);
    len_ = 0;
    return std::move(out_);
  }

 private:
  // The document is out_[0, len_); out_ past len_ is room already made (written in place, so a
  // token costs one bounds check and its copies, not a string append per piece).
  [[gnu::always_inline]] char* room(size_t n) {
    if (out_.size() - len_ < n) grow(n);
    return out_.data() + len_;
  }
  void grow(size_t n);
  // Writes the separator this element needs (',' or nothing) at `at`; returns the end.
  [[gnu::always_inline]] char* put_separator(char* at) {
    if (after_key_) {
      after_key_ = false;
      return at;
    }
    if (first_.empty()) return at;
    char& first = first_.back();
    if (first == 0) *at++ = ',';
    first = 0;
    return at;
  }
  JsonWriter& open(char bracket) {
    char* p = room(2);
    char* at = put_separator(p);
    *at++ = bracket;
    len_ += static_cast<size_t>(at - p);
    first_.push_back(1);
    return *this;
  }
  JsonWriter& close(char bracket) {
    *room(1) = bracket;
    ++len_;
    first_.pop_back();
    return *this;
  }
  bool append_plain(std::string_view s, bool as_key);
  void append_escaped(std::string_view s);
  JsonWriter& literal(const char* text, size_t n) {  // n <= 5
    char* p = room(6);
    char* at = put_separator(p);
    std::memcpy(at, text, n);
    len_ += static_cast<size_t>(at - p) + n;
    return *this;
  }
  template <class Integer>
  JsonWriter& integer(Integer n);
  mutable std::string out_;
  size_t len_ = 0;
  std::string first_;  // per open container: 1 while no element is written yet (SSO: no allocation)
  bool after_key_ = false;
};

// Appends s to out as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view s);

}  // namespace kt
