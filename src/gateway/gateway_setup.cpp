#include "gateway/gateway_setup.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <stdexcept>

#include "wire/ledger_wire.hpp"
#include "core/ids.hpp"
#include "core/json_writer.hpp"
#include "core/period.hpp"
#include "http/client.hpp"

namespace kt::gateway {
using namespace std::chrono_literals;

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

// The row in force now for `model` among in-force and scheduled rows.
const ledger::PricingRow* in_force(const std::vector<ledger::PricingRow>& rows, const std::string& model, int64_t now) {
  const ledger::PricingRow* best = nullptr;
  for (const auto& r : rows) {
    if (r.model != model || r.effective_from.value_or(0) > now) continue;
    if (!best || r.effective_from.value_or(0) > best->effective_from.value_or(0) ||
        (r.effective_from == best->effective_from && r.version > best->version))
      best = &r;
  }
  return best;
}

bool same_as_config(const ledger::PricingRow& r, const config::ModelPrice& p) {
  return r.provider == p.provider && r.input_per_1k == p.input_per_1k && r.output_per_1k == p.output_per_1k &&
         r.cached_input_per_1k == p.cached_input_per_1k && r.max_output_tokens == p.max_output_tokens;
}

// With api.seed_prices: posts the config's model_pricing entries the API lacks or prices
// differently (in force from now: a new version). One short request per such model, at start-up
// only; a token whose scope cannot write prices (a gateway token: 403) stops it with one warning,
// and the gateway serves with the API's prices. True when any was posted.
template <class Make>
bool seed_config_prices(const GatewayShared& s, const std::vector<ledger::PricingRow>& rows, Make& make) {
  if (!s.config->api->seed_prices) return false;
  bool posted = false;
  const int64_t now = now_unix_seconds();
  for (const auto& p : s.config->model_pricing) {
    const auto* current = in_force(rows, p.model, now);
    if (current && same_as_config(*current, p)) continue;
    JsonWriter w;
    w.begin_object().field("model", p.model).field("provider", p.provider);
    w.field("input_cost_per_1k_tokens", p.input_per_1k).field("output_cost_per_1k_tokens", p.output_per_1k);
    if (p.cached_input_per_1k) w.field("cached_input_cost_per_1k_tokens", *p.cached_input_per_1k);
    if (p.max_output_tokens) w.field("max_output_tokens", *p.max_output_tokens);
    w.end_object();
    auto resp = http::blocking_request(*s.api_url, make("POST", "/v1/model-pricing", w.take()), 3000ms);
    if (resp.status == 200) {
      spdlog::info("seeded the price of '{}' from the config's model_pricing", p.model);
      posted = true;
    } else if (resp.status == 403) {
      spdlog::warn("api.seed_prices: the API refused to write the price of '{}' (HTTP 403: {}'s token may not write "
                   "prices, e.g. a gateway token); no price of the config is seeded, the API's prices are used. "
                   "Seed prices with an admin token (POST /v1/model-pricing) or set api.seed_prices: false",
                   p.model, s.config->api->token_env);
      break;
    } else {
      spdlog::warn("seeding the price of '{}' into the API failed: HTTP {}", p.model, resp.status);
    }
  }
  return posted;
}

}  // namespace

GatewayShared build_shared(std::shared_ptr<const config::GatewayConfig> cfg, const std::string& spool_dir) {
  GatewayShared s;
  s.config = cfg;
  s.spool_dir = spool_dir;
  s.gateway_id = new_id("gw_");
  s.consumer_keys = ConsumerKeys(cfg->consumer_groups);
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

std::vector<ledger::PricingRow> register_with_api(const GatewayShared& s) {
  if (!s.api_url) return {};
  auto make = [&](std::string method, std::string path, std::string body) {
    http::ClientRequest r;
    r.method = std::move(method);
    r.target = s.api_url->base_path + path;
    r.headers.emplace_back("Authorization", "Bearer " + s.api_token);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
  };
  JsonWriter w;
  w.begin_object().key("groups").begin_array();
  for (const auto& g : s.config->consumer_groups)
    w.begin_object().field("name", g.name).field("wallet_team_id", g.wallet_team_id).end_object();
  w.end_array().end_object();
  try {
    auto resp = http::blocking_request(*s.api_url, make("POST", "/v1/consumer-groups", w.take()), 5000ms);
    if (resp.status != 200) spdlog::warn("registering consumer groups with the API failed: HTTP {}", resp.status);
    // In force and scheduled versions: the price book switches on time between refreshes.
    auto fetch = [&] { return http::blocking_request(*s.api_url, make("GET", "/v1/model-pricing?include=scheduled", ""), 5000ms); };
    auto prices = fetch();
    std::optional<std::vector<ledger::PricingRow>> rows;
    if (prices.status == 200) rows = wire::decode_pricing_list(prices.body);
    if (rows && seed_config_prices(s, *rows, make)) {
      prices = fetch();
      rows = prices.status == 200 ? wire::decode_pricing_list(prices.body) : std::nullopt;
    }
    if (rows) return *rows;
    spdlog::warn("fetching model pricing from the API failed: HTTP {}", prices.status);
  } catch (const std::exception& e) {
    spdlog::warn("the API at {} cannot be reached ({}); retrying in the background", s.api_url->origin(), e.what());
  }
  return {};
}

}  // namespace kt::gateway
