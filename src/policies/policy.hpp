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
  std::vector<std::string> matches;     // matched lexicon terms, distinct, first seen first (only when triggered)
  std::vector<std::string> patterns = {};  // names of the matched custom patterns, in configured order
  bool shadow = false;                     // mode: shadow (a block only records would_block)
};

// Redacts a text that arrives in pieces (a streamed answer): feed() returns what is final so far,
// finish() the rest. The pieces joined equal the policy's redact() of the whole text, however the
// text was cut (within the bound the policy documents).
class OutputRedactor {
 public:
  virtual ~OutputRedactor() = default;
  virtual std::string feed(std::string_view piece) = 0;
  virtual std::string finish() = 0;
  // What the returned text had redacted so far: labels (categories, pattern names), never text.
  virtual std::vector<std::string> matched() const { return {}; }
};

class RequestPolicy {
 public:
  virtual ~RequestPolicy() = default;
  virtual const std::string& name() const = 0;
  virtual PolicyVerdict evaluate(const PolicyInput& input) const = 0;
  // For action "redact": the text with every matched span replaced, or nullopt when nothing matched
  // (or the policy cannot redact).
  virtual std::optional<std::string> redact(std::string_view text) const { return std::nullopt; }
  // For action "redact": a redactor for one streamed text, or nullptr when the policy cannot.
  virtual std::unique_ptr<OutputRedactor> output_redactor() const { return nullptr; }
};

// Builds the policy for one configured entry; unknown type -> std::invalid_argument.
std::unique_ptr<RequestPolicy> make_policy(const config::Policy& policy);

// What a request's policies decide together, the same in the gateway and in `kt policy test`:
// the first enforced block refuses; a shadowed block is recorded as would_block and the next
// policies still run; redactors are the triggered "redact" policies (enforced ones only).
struct PolicyDecision {
  std::vector<PolicyVerdict> verdicts;
  const PolicyVerdict* blocked_by = nullptr;       // an enforced block: 409 policy_violation
  const PolicyVerdict* would_block_by = nullptr;   // the first shadowed block
  std::vector<const RequestPolicy*> redactors;
  bool flagged = false;                            // a "flag" policy triggered
};
PolicyDecision decide(const std::vector<std::unique_ptr<RequestPolicy>>& policies, const PolicyInput& input);

}  // namespace kt::policies
