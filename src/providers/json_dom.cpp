#include "providers/json_dom.hpp"

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

std::string minified(dom::element e) { return simdjson::minify(e); }

}  // namespace kt::providers
