#pragma once
// A small streaming JSON writer. Money is written as an exact decimal literal (never via double),
// which Boost.JSON cannot do; everything we emit (events, API replies, error envelopes) uses this.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"

namespace kt {

class JsonWriter {
 public:
  JsonWriter() = default;
  // Starts with room for a document of about this size (events are built per request).
  explicit JsonWriter(size_t expected_size) { out_.reserve(expected_size); }
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  // A key spelled in the code (a string literal): ours, so it needs no escaping and is not scanned
  // for it (a decision event writes ~70 keys; the scan was a third of their cost).
  template <std::size_t N>
  JsonWriter& key(const char (&k)[N]) { return literal_key(std::string_view(k, N - 1)); }
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t n);
  JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(uint64_t n);
  JsonWriter& value(bool b);
  JsonWriter& value(Money m);  // exact decimal number
  JsonWriter& null();
  // Inserts already-serialised JSON (e.g. a stored event) as one value.
  JsonWriter& raw(std::string_view json);
  // Writes a percent_nanos value as an exact decimal number.
  JsonWriter& percent(int64_t percent_nanos);

  template <class K, class T>
  JsonWriter& field(const K& k, const T& v) { key(k); return value(v); }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  // Writes the separator this element needs (',' or nothing) at `at`; returns its length.
  size_t separator(char* at);
  void separate();
  bool append_plain(std::string_view s, bool as_key);
  JsonWriter& literal_key(std::string_view k);
  JsonWriter& literal(std::string_view text);  // text of at most 5 bytes
  template <class Integer>
  JsonWriter& integer(Integer n);
  std::string out_;
  std::string first_;  // per open container: 1 while no element is written yet (SSO: no allocation)
  bool after_key_ = false;
};

// Appends s to out as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view s);

}  // namespace kt
