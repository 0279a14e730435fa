#pragma once
// The values the configuration accepts in enumerated fields. Adding a provider or a policy type
// starts here (and in the provider / policy registries).
#include <array>
#include <string_view>

namespace kt::config {

inline constexpr std::array<std::string_view, 3> kKnownProviders = {"openai", "anthropic", "azure_openai"};
inline constexpr std::string_view kDefaultProvider = "openai";

inline constexpr std::array<std::string_view, 1> kPolicyTypes = {"content_filter"};
inline constexpr std::array<std::string_view, 3> kPolicyActions = {"flag", "block", "redact"};
inline constexpr std::string_view kDefaultPolicyAction = "flag";

inline constexpr std::array<std::string_view, 4> kContentCategories = {"hate", "violence", "sexual", "self_harm"};
// The matched weight that triggers (a mild lexicon term weighs 1, a severe one or a custom
// pattern 2; summed over every occurrence): low 1, medium 2, high 4.
inline constexpr std::array<std::string_view, 3> kContentThresholds = {"low", "medium", "high"};
inline constexpr std::string_view kDefaultContentThreshold = "medium";

// `mode:` of a policy, a rate_limits block or a budget alert; enforce is the default.
inline constexpr std::array<std::string_view, 2> kModes = {"enforce", "shadow"};
inline constexpr std::array<std::string_view, 2> kBudgetAlertActions = {"notify", "block"};
inline constexpr std::array<std::string_view, 2> kUnknownModelModes = {"allow", "reject"};
inline constexpr std::array<std::string_view, 2> kOnInsufficientModes = {"reject", "clamp"};
inline constexpr int kMaxRetries = 10;
inline constexpr int kMaxBackoffMs = 60000;

inline constexpr int kMinThresholdPercent = 1;
inline constexpr int kMaxThresholdPercent = 1000;
// Consumer keys shorter than this are easy to guess: lint warns.
inline constexpr std::size_t kMinApiKeyLength = 16;

}  // namespace kt::config
