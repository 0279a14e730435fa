#pragma once
// Client-supplied text (a model name, a path) on its way into a log line: control characters are
// escaped, so a name holding "\r\n" or a terminal escape cannot forge or hide log lines, and a
// very long one is cut (a 1 MB model name must not become a 1 MB log line).
#include <cstddef>
#include <string>
#include <string_view>

namespace kt {

inline constexpr std::size_t kMaxLoggedTextBytes = 200;

// "\n" -> "\\n", "\r" -> "\\r", "\t" -> "\\t", other bytes below 0x20 and 0x7F -> "\\xNN", and
// a backslash doubled (so an escape in the output always means one in the input). Past
// `max_bytes` of input the rest is replaced by "...(N more bytes)".
std::string printable(std::string_view text, std::size_t max_bytes = kMaxLoggedTextBytes);

}  // namespace kt
