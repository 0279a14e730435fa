#include "core/log_text.hpp"

namespace kt {

std::string printable(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string_view shown = text.substr(0, max_bytes);
  std::string out;
  out.reserve(shown.size() + 16);
  for (char ch : shown) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) out += {'\\', 'x', kHex[c >> 4], kHex[c & 0xF]};
    else out += ch;
  }
  if (text.size() > shown.size()) out += "...(" + std::to_string(text.size() - shown.size()) + " more bytes)";
  return out;
}

}  // namespace kt
