#pragma once
// Reads a flat JSON object once with simdjson and keeps each field's kind and text, so request
// validation can report precise errors. Numbers keep their raw text: money is parsed from it
// exactly (never through double).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"

namespace kt::wire {

struct JsonField {
  enum class Kind { string, number, boolean, null, object, array } kind;
  std::string text;  // unescaped for strings, raw token for numbers/booleans, raw JSON for object/array
};

class JsonFields {
 public:
  // Parses `body` (must be a JSON object). On failure sets `error` (400 invalid_json).
  static std::optional<JsonFields> parse(std::string_view body, ApiError& error);

  bool has(std::string_view key) const { return fields_.count(std::string(key)) > 0; }
  const JsonField* get(std::string_view key) const;

  // Field readers: on a missing (when required) or mistyped field they set `error` (400 with the
  // field named in the message) and return nullopt.
  std::optional<std::string> string(std::string_view key, bool required, ApiError& error) const;
  std::optional<Money> money(std::string_view key, bool required, ApiError& error) const;  // >= 0
  std::optional<int64_t> integer(std::string_view key, bool required, ApiError& error) const;
  std::optional<bool> boolean(std::string_view key, bool required, ApiError& error) const;

  const std::map<std::string, JsonField, std::less<>>& all() const { return fields_; }

 private:
  std::map<std::string, JsonField, std::less<>> fields_;
};

// A padded copy for simdjson when the input's capacity cannot be trusted.
std::string padded_copy(std::string_view s);

}  // namespace kt::wire
