#pragma once
// UTF-8 validation and repair for the pre-tokenizer: PCRE2 runs in UTF mode, which must never see
// invalid UTF-8 once PCRE2_NO_UTF_CHECK is set.
#include <string>
#include <string_view>

namespace kt::tokenizer {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

// Replaces every maximal ill-formed subsequence with U+FFFD (the Unicode "best practice" that
// Python's errors="replace" and the WHATWG decoder follow), so the result is valid UTF-8.
std::string replace_invalid_utf8(std::string_view text);

}  // namespace kt::tokenizer
