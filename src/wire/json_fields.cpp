#include "wire/json_fields.hpp"

#include <simdjson.h>

namespace kt::wire {
namespace {

ApiError field_error(std::string_view key, std::string what) {
  return bad_request("invalid_field", "field '" + std::string(key) + "' " + what);
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. simdjson's On Demand API
// hands over a number's raw text without checking it, and Money::parse is more lenient
// ("01", "1.", ".5"), so a body with such a number would be accepted though it is not JSON.
bool is_json_number(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < t.size() && t[i] == '.' && (++i, !digits())) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

}  // namespace

std::string padded_copy(std::string_view s) {
  std::string out;
  out.reserve(s.size() + simdjson::SIMDJSON_PADDING);
  out.append(s);
  return out;
}

std::optional<JsonFields> JsonFields::parse(std::string_view body, ApiError& error) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = padded_copy(body);
  JsonFields out;
  try {
    simdjson::padded_string_view view(buf.data(), buf.size(), buf.capacity());
    simdjson::ondemand::document doc = parser.iterate(view);
    simdjson::ondemand::object obj = doc.get_object();
    for (auto field : obj) {
      std::string key(field.unescaped_key().value());
      simdjson::ondemand::value v = field.value();
      JsonField f{};
      switch (v.type()) {
        case simdjson::ondemand::json_type::string:
          f.kind = JsonField::Kind::string;
          f.text = std::string(v.get_string().value());
          break;
        case simdjson::ondemand::json_type::number:
          f.kind = JsonField::Kind::number;
          f.text = std::string(v.raw_json_token());
          while (!f.text.empty() && (f.text.back() == ' ' || f.text.back() == '\n' || f.text.back() == '\r' ||
                                     f.text.back() == '\t'))
            f.text.pop_back();
          if (!is_json_number(f.text)) throw simdjson::simdjson_error(simdjson::NUMBER_ERROR);
          break;
        case simdjson::ondemand::json_type::boolean:
          f.kind = JsonField::Kind::boolean;
          f.text = v.get_bool().value() ? "true" : "false";
          break;
        case simdjson::ondemand::json_type::null:
          f.kind = JsonField::Kind::null;
          // The type is read from the first letter: "nul" or "n\x7fll" must still be refused.
          if (!v.is_null().value()) throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
          break;
        case simdjson::ondemand::json_type::object:
          f.kind = JsonField::Kind::object;
          f.text = std::string(simdjson::ondemand::object(v.get_object()).raw_json().value());
          break;
        case simdjson::ondemand::json_type::array:
          f.kind = JsonField::Kind::array;
          f.text = std::string(simdjson::ondemand::array(v.get_array()).raw_json().value());
          break;
      }
      // A key given twice is refused: parsers disagree on which one counts (core/json_duplicate_keys.hpp).
      if (out.fields_.count(key)) {
        error = bad_request("duplicate_key", "the request body gives the key '" + key +
                                                 "' more than once; send each key once (JSON parsers disagree on which one counts)");
        return std::nullopt;
      }
      out.fields_.emplace(std::move(key), std::move(f));
    }
    if (doc.current_location().error() == simdjson::SUCCESS) throw simdjson::simdjson_error(simdjson::TRAILING_CONTENT);
  } catch (const simdjson::simdjson_error&) {
    error = bad_request("invalid_json", "request body is not a valid JSON object");
    return std::nullopt;
  }
  return out;
}

const JsonField* JsonFields::get(std::string_view key) const {
  auto it = fields_.find(key);
  return it == fields_.end() ? nullptr : &it->second;
}

std::optional<std::string> JsonFields::string(std::string_view key, bool required, ApiError& error) const {
  const JsonField* f = get(key);
  if (!f || f->kind == JsonField::Kind::null) {
    if (required) error = field_error(key, "is required");
    return std::nullopt;
  }
  if (f->kind != JsonField::Kind::string) {
    error = field_error(key, "must be a string");
    return std::nullopt;
  }
  if (required && f->text.empty()) {
    error = field_error(key, "must not be empty");
    return std::nullopt;
  }
  return f->text;
}

std::optional<Money> JsonFields::money(std::string_view key, bool required, ApiError& error) const {
  const JsonField* f = get(key);
  if (!f || f->kind == JsonField::Kind::null) {
    if (required) error = field_error(key, "is required");
    return std::nullopt;
  }
  // A decimal string ("0.00015") is accepted as well as a number: both are parsed exactly.
  if (f->kind != JsonField::Kind::number && f->kind != JsonField::Kind::string) {
    error = field_error(key, "must be a number");
    return std::nullopt;
  }
  auto m = Money::parse(f->text);
  if (!m) {
    error = field_error(key, "must be a finite decimal number with at most 9 decimal places, got '" +
                                 f->text.substr(0, 40) + "'");
    return std::nullopt;
  }
  if (m->is_negative()) {
    error = field_error(key, "must not be negative");
    return std::nullopt;
  }
  return m;
}

std::optional<int64_t> JsonFields::integer(std::string_view key, bool required, ApiError& error) const {
  const JsonField* f = get(key);
  if (!f || f->kind == JsonField::Kind::null) {
    if (required) error = field_error(key, "is required");
    return std::nullopt;
  }
  if (f->kind != JsonField::Kind::number) {
    error = field_error(key, "must be an integer");
    return std::nullopt;
  }
  int64_t v = 0;
  bool neg = false;
  size_t i = 0;
  if (!f->text.empty() && f->text[0] == '-') neg = true, i = 1;
  if (i >= f->text.size()) {
    error = field_error(key, "must be an integer");
    return std::nullopt;
  }
  for (; i < f->text.size(); ++i) {
    char c = f->text[i];
    if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) {
      error = field_error(key, "must be an integer");
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  return neg ? -v : v;
}

std::optional<bool> JsonFields::boolean(std::string_view key, bool required, ApiError& error) const {
  const JsonField* f = get(key);
  if (!f || f->kind == JsonField::Kind::null) {
    if (required) error = field_error(key, "is required");
    return std::nullopt;
  }
  if (f->kind != JsonField::Kind::boolean) {
    error = field_error(key, "must be true or false");
    return std::nullopt;
  }
  return f->text == "true";
}

}  // namespace kt::wire
