#pragma once
// Terms that clearly indicate each content category. Plain data: the filter compiles them once.
#include <span>
#include <string_view>

namespace kt::policies {

// Empty span for an unknown category.
std::span<const std::string_view> content_lexicon(std::string_view category);

}  // namespace kt::policies
