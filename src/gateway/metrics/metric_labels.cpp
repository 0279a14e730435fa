#include "gateway/metrics/metric_labels.hpp"

namespace kt::gateway::metrics {

TeamLabels::TeamLabels(const config::GatewayConfig& cfg) : groups_(cfg.consumer_groups.data()) {
  for (const auto& g : cfg.consumer_groups) {
    auto [it, fresh] = by_name_.try_emplace(g.wallet_team_id, names_.size());
    if (fresh) names_.push_back(g.wallet_team_id);
    group_team_.push_back(it->second);
  }
}

size_t TeamLabels::find(const std::string& team_id) const {
  auto it = by_name_.find(team_id);
  return it == by_name_.end() ? names_.size() : it->second;
}

}  // namespace kt::gateway::metrics
