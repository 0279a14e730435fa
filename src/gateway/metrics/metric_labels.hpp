#pragma once
// The label values the gateway's metrics may carry, each a small index resolved once: teams
// from the config, models from the price book (worker_metrics.hpp), providers, routes, decisions
// and refusal reasons from fixed lists. Nothing a client sends becomes a label value: a model
// the price book does not know is "unpriced", any value outside a list is "other".
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/gateway_config.hpp"
#include "providers/provider.hpp"

namespace kt::gateway::metrics {

inline constexpr std::string_view kOther = "other";
inline constexpr std::string_view kNone = "none";

// Fixed lists; the index past the last entry is "other".
inline constexpr std::array<std::string_view, 4> kProviderLabels = {"none", "openai", "anthropic", "azure_openai"};
inline constexpr std::array<std::string_view, 5> kRouteLabels = {"/v1/chat/completions", "/v1/completions",
                                                                 "/v1/embeddings", "/v1/responses", "/v1/messages"};
inline constexpr std::array<std::string_view, 4> kDecisionLabels = {"allow", "block", "redact", "error"};
// Why a priced request was refused (the decision event's reason), and auth_failed for the 401s
// of the head hook (counted apart, auth_failures.hpp).
inline constexpr std::array<std::string_view, 11> kRefusalReasons = {
    "budget_exceeded",   "budget_unavailable", "ledger_backlog", "spool_unavailable",
    "unknown_model",     "invalid_request",    "policy_violation", "route_not_supported",
    "idempotency_conflict", "idempotency_key_reused", "auth_failed"};
inline constexpr size_t kAuthFailedReason = 10;
static_assert(kRefusalReasons[kAuthFailedReason] == "auth_failed");

// Index of `value` in `list`, or list.size() ("other").
template <size_t N>
constexpr size_t index_in(const std::array<std::string_view, N>& list, std::string_view value) {
  for (size_t i = 0; i < N; ++i)
    if (list[i] == value) return i;
  return N;
}
template <size_t N>
constexpr std::string_view label_at(const std::array<std::string_view, N>& list, size_t i) {
  return i < N ? list[i] : kOther;
}

inline size_t route_index(providers::Route r) { return static_cast<size_t>(r); }

// The config's wallet teams (each once, in the order of the consumer groups naming them).
class TeamLabels {
 public:
  explicit TeamLabels(const config::GatewayConfig& cfg);
  size_t size() const { return names_.size(); }
  const std::string& name(size_t team) const { return names_[team]; }
  // The team of a consumer group of this config (a pointer into cfg.consumer_groups): no lookup.
  size_t of_group(const config::ConsumerGroup* g) const {
    size_t i = size_t(g - groups_);
    return i < group_team_.size() ? group_team_[i] : names_.size();
  }
  // The team named `team_id`, or size() when the config has none such.
  size_t find(const std::string& team_id) const;

 private:
  const config::ConsumerGroup* groups_;
  std::vector<size_t> group_team_;  // consumer group index -> team
  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> by_name_;
};

}  // namespace kt::gateway::metrics
