#pragma once
// Terms that clearly indicate each content category. Plain data: the filter compiles them once.
#include <span>
#include <string_view>

namespace kt::policies {

// The severe terms of a category (weight 2); empty span for an unknown category.
std::span<const std::string_view> content_lexicon(std::string_view category);
// Its mild terms (weight 1; see content_filter.hpp for what the weights decide).
std::span<const std::string_view> content_lexicon_mild(std::string_view category);

}  // namespace kt::policies
