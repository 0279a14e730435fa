#pragma once
// A content_filter's custom pattern as both the lint and the filter see it: PCRE2 over UTF-8, one
// set of options, so a pattern lint accepts is a pattern the gateway compiles.
#include <cstdint>
#include <string>
#include <string_view>

namespace kt::config {

// UTF-8 with Unicode \w/\b; text that is not valid UTF-8 never matches inside the bad bytes.
uint32_t content_pattern_options();
// Why `regex` cannot be a content pattern (it does not compile, or it matches the empty string,
// which would redact nothing and match everywhere), or "" when it can.
std::string content_pattern_error(std::string_view regex);

}  // namespace kt::config
