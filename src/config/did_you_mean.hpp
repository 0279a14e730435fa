#pragma once
// "did you mean ...?" for misspelt keys and values in configuration files.
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace kt::config {

// Optimal-string-alignment (restricted Damerau-Levenshtein) distance: a swap of two neighbours
// ("wallet_enforcmeent") costs 1 like an insertion, deletion or substitution.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is a plausible typo: distance <= 2 (and shorter than the
// candidate itself, so "ab" does not suggest "id"), or one is a prefix of the other (at least 3
// characters shared). Empty when nothing is close.
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace kt::config
