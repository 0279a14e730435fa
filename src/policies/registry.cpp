#include <stdexcept>

#include "policies/content_filter/content_filter.hpp"
#include "policies/policy.hpp"

namespace kt::policies {

std::unique_ptr<RequestPolicy> make_policy(const config::Policy& p) {
  // One line per policy type; keep in step with config::kPolicyTypes.
  if (p.type == "content_filter") return std::make_unique<ContentFilter>(ContentFilter::Options::from(p));
  throw std::invalid_argument("unknown policy type '" + p.type + "'");
}

PolicyDecision decide(const std::vector<std::unique_ptr<RequestPolicy>>& policies, const PolicyInput& input) {
  PolicyDecision d;
  d.verdicts.reserve(policies.size());  // blocked_by / would_block_by point into it
  for (const auto& policy : policies) {
    d.verdicts.push_back(policy->evaluate(input));
    const PolicyVerdict& v = d.verdicts.back();
    if (!v.triggered) continue;
    if (v.action == "flag") d.flagged = true;
    if (v.action == "redact" && !v.shadow) d.redactors.push_back(policy.get());
    if (v.action == "block" && v.shadow && !d.would_block_by) d.would_block_by = &v;
    if (v.action == "block" && !v.shadow) {
      d.blocked_by = &v;
      break;
    }
  }
  return d;
}

}  // namespace kt::policies
