#include "gateway/gateway_setup.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <stdexcept>

#include "core/ids.hpp"
#include "http/client.hpp"

namespace kt::gateway {

namespace {

std::string env_or_empty(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

providers::ResolvedTarget resolve_target(const config::Target& t, const providers::Provider& provider) {
  providers::ResolvedTarget r;
  r.config = t;
  std::string base = t.base_url.value_or("");
  if (base.empty() && t.provider == "openai") base = env_or_empty("OPENAI_BASE_URL");
  if (base.empty()) base = provider.default_base_url();
  if (base.empty()) throw std::runtime_error("target '" + t.id + "': provider " + t.provider + " needs a base_url");
  auto url = http::Url::parse(base);
  if (!url) throw std::runtime_error("target '" + t.id + "': base URL '" + base + "' is not an http(s) URL");
  r.base = *url;
  if (!t.secret_key_ref.env.empty()) {
    r.api_key = env_or_empty(t.secret_key_ref.env);
    if (r.api_key.empty())
      spdlog::warn("target '{}': {} is not set; upstream requests go without a key", t.id, t.secret_key_ref.env);
  }
  return r;
}

}  // namespace

GatewayShared build_shared(std::shared_ptr<const config::GatewayConfig> cfg, const std::string& spool_dir) {
  GatewayShared s;
  s.config = cfg;
  s.spool_dir = spool_dir;
  s.gateway_id = new_id("gw_");
  s.consumer_keys = ConsumerKeys(cfg->consumer_groups);
  s.api_keys = std::make_shared<ApiKeyTable>(cfg->consumer_groups);
  for (const auto& p : cfg->policies) s.policies.push_back(policies::make_policy(p));
  if (cfg->targets.empty()) throw std::runtime_error("providers.targets is empty: nothing to route to");
  for (const auto& t : cfg->targets) {
    s.providers.push_back(providers::make_provider(t.provider));
    s.targets.push_back(resolve_target(t, *s.providers.back()));
  }
  if (cfg->api) {
    auto url = http::Url::parse(cfg->api->url);
    if (!url) throw std::runtime_error("api.url '" + cfg->api->url + "' is not an http(s) URL");
    s.api_url = *url;
    s.api_token = env_or_empty(cfg->api->token_env);
    if (s.api_token.empty()) throw std::runtime_error(cfg->api->token_env + " is not set: the gateway needs the API token");
  } else if (cfg->cost_tracking.enabled) {
    spdlog::warn("cost_tracking is enabled but there is no api section: costs are not tracked");
  }
  if (const auto& env = cfg->metrics.token_env) {
    s.metrics_token = env_or_empty(*env);
    if (s.metrics_token.empty()) throw std::runtime_error(*env + " is not set: metrics.token_env names the token /metrics requires");
  }
  for (const auto& a : cfg->cost_tracking.budget_alerts) {
    int& lowest = a.mode == config::kModeShadow ? s.shadow_block_at_percent : s.block_at_percent;
    if (a.action == "block") lowest = lowest ? std::min(lowest, a.threshold_percent) : a.threshold_percent;
    else s.notify_thresholds.push_back(a.threshold_percent);
  }
  if (cfg->cost_tracking.alert_webhook_url) s.alert_webhook = http::Url::parse(*cfg->cost_tracking.alert_webhook_url);
  try {
    tokenizer::Tokenizers registry(tokenizer::default_data_dir());
    s.o200k = registry.get("o200k_base");  // loaded now, not on the first request
    s.cl100k = registry.get("cl100k_base");
  } catch (const std::exception& e) {
    spdlog::warn("tokenizer data not available ({}); prompt estimates use a byte count", e.what());
    s.o200k.reset();
    s.cl100k.reset();
  }
  return s;
}

void log_startup(const GatewayShared& s) {
  auto log = spdlog::get("keeptrusts::gateway");
  const auto& ct = s.config->cost_tracking;
  log->info("Cost tracking: {}, wallet_enforcement={}", ct.enabled ? "enabled" : "disabled",
            ct.wallet_enforcement ? "true" : "false");
  std::string alerts;
  for (const auto& a : ct.budget_alerts)
    alerts += (alerts.empty() ? "" : ", ") + std::to_string(a.threshold_percent) + "%\u2192" + a.action;
  log->info("Budget alerts: {}", alerts.empty() ? "none" : alerts);
}

}  // namespace kt::gateway
