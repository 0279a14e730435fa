#include "gateway/budget/model_limits.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace kt::gateway {

int64_t default_max_output_tokens(std::string_view model) {
  // Longest prefix first; figures from the providers' model pages.
  static constexpr std::array<std::pair<std::string_view, int64_t>, 16> caps{{
      {"gpt-4o-mini", 16384}, {"gpt-4o", 16384}, {"chatgpt-4o", 16384}, {"gpt-4.1", 32768},
      {"gpt-4-turbo", 4096},  {"gpt-4", 8192},   {"gpt-3.5", 4096},     {"gpt-5", 128000},
      {"o1-mini", 65536},     {"o1", 100000},    {"o3", 100000},        {"o4-mini", 100000},
      {"claude-3-5", 8192},   {"claude-3", 4096}, {"claude", 64000},    {"text-embedding", 0},
  }};
  for (const auto& [prefix, cap] : caps)
    if (model.substr(0, prefix.size()) == prefix) return cap;
  return 16384;
}

int64_t max_output_tokens_limit(std::string_view model) {
  int64_t cap = default_max_output_tokens(model);
  // A model without output (embeddings, cap 0) has nothing to compare with: the absolute bound.
  return cap > 0 ? std::min(cap * 1000, kMaxRequestTokens) : kMaxRequestTokens;
}

}  // namespace kt::gateway
