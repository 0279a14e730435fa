#pragma once
// The items of a comma-separated header value (Cache-Control, X-Kt-Tags): spaces and tabs around
// each trimmed, empty items dropped.
#include <string_view>
#include <vector>

namespace kt::gateway {

inline std::vector<std::string_view> split_header_list(std::string_view value) {
  std::vector<std::string_view> out;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace kt::gateway
