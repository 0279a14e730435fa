#pragma once
// content_filter: flags, blocks or redacts requests whose messages contain terms of the configured
// categories (hate, violence, sexual, self_harm). All configured lexicons are compiled into one
// PhraseMatcher at construction; evaluate() scans each text once.
//
// threshold: low and medium trigger on one matched term; high needs two or more matches in the
// request (counting every occurrence, across all texts).
#include <cstdint>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "policies/phrase_matcher.hpp"
#include "policies/policy.hpp"

namespace kt::policies {

class ContentFilter final : public RequestPolicy {
 public:
  struct Options {
    std::string name;
    std::string action = "flag";
    std::vector<std::string> categories;
    std::string threshold = "medium";
    static Options from(const config::Policy& p);
  };
  static constexpr const char* kType = "content_filter";
  // At most this many distinct terms are listed in a verdict (the event stays small).
  static constexpr std::size_t kMaxListedMatches = 16;

  // Throws std::invalid_argument for an unknown category or threshold, or no categories.
  explicit ContentFilter(Options options);

  const std::string& name() const override { return options_.name; }
  PolicyVerdict evaluate(const PolicyInput& input) const override;
  std::optional<std::string> redact(std::string_view text) const override;

  // A redacted span becomes "[REDACTED:<category>]" (the category of the matched phrase that
  // comes first in the policy's list): the upstream sees that something was removed, and what kind.
  static constexpr std::string_view kRedactedPrefix = "[REDACTED:";

 private:
  struct Compiled {
    std::vector<std::string> terms;       // distinct normalised terms
    std::vector<uint32_t> category_mask;  // per term: bit i = options_.categories[i]
  };
  static Compiled compile(const Options& options);

  Options options_;
  Compiled compiled_;
  PhraseMatcher matcher_;
  std::size_t min_hits_;
};

}  // namespace kt::policies
