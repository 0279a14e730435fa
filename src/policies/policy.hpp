#pragma once
// The interface every request policy implements. A policy is built once from the configuration,
// is immutable afterwards and is shared by all gateway threads: evaluate() is const and thread-safe.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"

namespace kt::policies {

struct PolicyInput {
  std::vector<std::string_view> texts;  // user/system message contents
};

struct PolicyVerdict {
  std::string policy_name, policy_type, action;  // action: flag | block | redact (from the config)
  bool triggered = false;
  std::vector<std::string> categories;  // matched categories, in configured order (only when triggered)
  std::vector<std::string> matches;     // matched terms, distinct, first seen first (only when triggered)
};

class RequestPolicy {
 public:
  virtual ~RequestPolicy() = default;
  virtual const std::string& name() const = 0;
  virtual PolicyVerdict evaluate(const PolicyInput& input) const = 0;
  // For action "redact": the text with every matched span replaced, or nullopt when nothing matched
  // (or the policy cannot redact).
  virtual std::optional<std::string> redact(std::string_view text) const { return std::nullopt; }
};

// Builds the policy for one configured entry; unknown type -> std::invalid_argument.
std::unique_ptr<RequestPolicy> make_policy(const config::Policy& policy);

}  // namespace kt::policies
