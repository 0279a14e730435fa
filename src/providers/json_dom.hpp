#pragma once
// Small accessors over simdjson's DOM for the translators: absent or mistyped fields read as nullopt,
// so a translator handles a provider's optional fields without exceptions for control flow.
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

namespace kt::providers {

namespace dom = simdjson::dom;

// Parses text (copied into a padded buffer by simdjson when needed); throws simdjson_error on bad JSON.
dom::element parse_dom(dom::parser& p, std::string_view text);

std::optional<std::string_view> str_field(dom::element e, std::string_view key);
std::optional<int64_t> int_field(dom::element e, std::string_view key);
std::optional<dom::element> obj_field(dom::element e, std::string_view key);
std::optional<dom::array> arr_field(dom::element e, std::string_view key);
// A present, non-null field of any type.
std::optional<dom::element> any_field(dom::element e, std::string_view key);
// The element as compact JSON text (strings keep their escapes' meaning, numbers their value).
std::string minified(dom::element e);

}  // namespace kt::providers
