// The gateway's start-up calls to the API (blocking, before the workers run): its consumer groups,
// the price book, and with api.seed_prices the config's prices the API lacks.
#include "gateway/api_bootstrap.hpp"

#include <spdlog/spdlog.h>

#include "core/json_writer.hpp"
#include "core/period.hpp"
#include "gateway/api_link.hpp"
#include "http/client.hpp"
#include "wire/ledger_wire.hpp"

namespace kt::gateway {
using namespace std::chrono_literals;

namespace {

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
bool seed_config_prices(const GatewayShared& s, const std::vector<ledger::PricingRow>& rows, const ApiLink& api) {
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
    auto resp = http::blocking_request(*s.api_url, api.make("POST", "/v1/model-pricing", w.take()), 3000ms);
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

std::vector<ledger::PricingRow> register_with_api(const GatewayShared& s) {
  if (!s.api_url) return {};
  const ApiLink api{*s.api_url, s.api_token, nullptr, nullptr};
  JsonWriter w;
  w.begin_object().key("groups").begin_array();
  for (const auto& g : s.config->consumer_groups)
    w.begin_object().field("name", g.name).field("wallet_team_id", g.wallet_team_id).end_object();
  w.end_array().end_object();
  try {
    auto resp = http::blocking_request(*s.api_url, api.make("POST", "/v1/consumer-groups", w.take()), 5000ms);
    if (resp.status != 200) spdlog::warn("registering consumer groups with the API failed: HTTP {}", resp.status);
    // In force and scheduled versions: the price book switches on time between refreshes.
    auto fetch = [&] { return http::blocking_request(*s.api_url, api.make("GET", "/v1/model-pricing?include=scheduled", ""), 5000ms); };
    auto prices = fetch();
    std::optional<std::vector<ledger::PricingRow>> rows;
    if (prices.status == 200) rows = wire::decode_pricing_list(prices.body);
    if (rows && seed_config_prices(s, *rows, api)) {
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
