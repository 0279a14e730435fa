#include "providers/json_dom.hpp"

#include <algorithm>
#include <vector>

namespace kt::providers {

dom::element parse_dom(dom::parser& p, std::string_view text) {
  return p.parse(text.data(), text.size(), true).value();
}

std::optional<dom::element> any_field(dom::element e, std::string_view key) {
  if (!e.is_object()) return std::nullopt;
  dom::element v;
  if (e.get_object().value().at_key(key).get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  return v;
}

std::optional<std::string_view> str_field(dom::element e, std::string_view key) {
  auto v = any_field(e, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get_string().value();
}

std::optional<int64_t> int_field(dom::element e, std::string_view key) {
  auto v = any_field(e, key);
  if (!v || !v->is_int64()) return std::nullopt;
  return v->get_int64().value();
}

std::optional<dom::element> obj_field(dom::element e, std::string_view key) {
  auto v = any_field(e, key);
  if (!v || !v->is_object()) return std::nullopt;
  return v;
}

std::optional<dom::array> arr_field(dom::element e, std::string_view key) {
  auto v = any_field(e, key);
  if (!v || !v->is_array()) return std::nullopt;
  return v->get_array().value();
}

namespace {

std::optional<std::string_view> repeated_key(dom::object o) {
  // Most objects have a handful of keys: comparing each with the ones before it is cheapest.
  // A large one is sorted instead, so a body of many keys costs n log n, not n squared.
  if (o.size() <= 16) {
    size_t i = 0;
    for (auto it = o.begin(); it != o.end(); ++it, ++i) {
      size_t j = 0;
      for (auto prev = o.begin(); j < i; ++prev, ++j)
        if (prev.key() == it.key()) return it.key();
    }
    return std::nullopt;
  }
  std::vector<std::string_view> keys;
  for (auto [key, value] : o) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  if (auto dup = std::adjacent_find(keys.begin(), keys.end()); dup != keys.end()) return *dup;
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> duplicate_key(dom::element e) {
  if (e.is_array()) {
    for (dom::element item : e.get_array().value())
      if (auto k = duplicate_key(item)) return k;
    return std::nullopt;
  }
  if (!e.is_object()) return std::nullopt;
  dom::object o = e.get_object().value();
  if (auto k = repeated_key(o)) return k;
  for (auto [key, value] : o)
    if (auto k = duplicate_key(value)) return k;
  return std::nullopt;
}

std::string minified(dom::element e) { return simdjson::minify(e); }

}  // namespace kt::providers
