#pragma once
// Built once at start, immutable, shared by every worker thread.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "gateway/api_keys.hpp"
#include "gateway/events/auth_failures.hpp"
#include "gateway/consumer_keys.hpp"
#include "gateway/pipeline/idempotency_cache.hpp"
#include "gateway/rate_limits/spend_alert_latch.hpp"
#include "http/types.hpp"
#include "policies/policy.hpp"
#include "providers/provider.hpp"
#include "tokenizer/tokenizer.hpp"

namespace kt::gateway {

struct GatewayShared {
  std::shared_ptr<const config::GatewayConfig> config;
  ConsumerKeys consumer_keys;  // api_key -> group, looked up in constant time
  std::vector<std::unique_ptr<policies::RequestPolicy>> policies;
  std::vector<providers::ResolvedTarget> targets;
  std::vector<std::shared_ptr<const providers::Provider>> providers;  // parallel to targets
  std::optional<http::Url> api_url;
  std::string api_token;
  std::string metrics_token;  // what GET /metrics requires (metrics.token_env); empty: open
  std::optional<http::Url> alert_webhook;
  int block_at_percent = 0;            // lowest enforced "block" alert threshold, 0 = none
  int shadow_block_at_percent = 0;     // lowest "block" alert with mode: shadow (recorded, never refused)
  std::vector<int> notify_thresholds;  // "notify" alert thresholds
  // Loaded once at start and read without a lock; null when the rank files are missing.
  std::shared_ptr<const tokenizer::Encoding> o200k, cl100k;
  std::string spool_dir = ".kt/spool";
  std::string gateway_id;  // this process among the API's clients: names its budget leases and ledger logs
  size_t workers = 1;      // I/O threads: the ledger log's bounds are split between them
  // The one mutable piece: Idempotency-Key answers, shared by all workers (see idempotency_cache.hpp).
  std::shared_ptr<IdempotencyCache> idempotency = std::make_shared<IdempotencyCache>();
  // Consumer keys made through the API (kt keys), kept in step by ApiKeySync; set by build_shared.
  std::shared_ptr<ApiKeyTable> api_keys;
  // Refused consumer keys, counted per worker and summed when read (for /metrics).
  std::shared_ptr<AuthFailureTally> auth_failures = std::make_shared<AuthFailureTally>();
  // Which spend-rate refusals have alerted (rate_limits/spend_alert_latch.hpp).
  std::shared_ptr<SpendAlertLatch> spend_alerts = std::make_shared<SpendAlertLatch>();

  const tokenizer::Encoding* encoding_for(std::string_view model) const {
    if (!o200k || !cl100k) return nullptr;
    return tokenizer::encoding_for_model(model) == "cl100k_base" ? cl100k.get() : o200k.get();
  }
  bool cost_tracking() const { return config->cost_tracking.enabled && api_url.has_value(); }
  bool enforce() const { return cost_tracking() && config->cost_tracking.wallet_enforcement; }
};

}  // namespace kt::gateway
