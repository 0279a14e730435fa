#include <stdexcept>

#include "policies/content_filter/content_filter.hpp"
#include "policies/policy.hpp"

namespace kt::policies {

std::unique_ptr<RequestPolicy> make_policy(const config::Policy& p) {
  // One line per policy type; keep in step with config::kPolicyTypes.
  if (p.type == "content_filter") return std::make_unique<ContentFilter>(ContentFilter::Options::from(p));
  throw std::invalid_argument("unknown policy type '" + p.type + "'");
}

}  // namespace kt::policies
