#pragma once
// The gateway's configuration (the tutorial's policy-config.yaml), built once, immutable, shared.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/redis_url.hpp"
#include "core/money.hpp"

namespace kt::config {

// `mode: shadow` on a policy, a rate_limits block or a budget alert: it decides as usual, the
// decision event records `would_block` and the reason, and the request passes (docs/traffic.md "Shadow mode").
inline constexpr const char* kModeEnforce = "enforce";
inline constexpr const char* kModeShadow = "shadow";

struct SecretRef {
  std::string env;  // name of the environment variable that holds the secret
};

struct Target {
  std::string id;
  std::string provider;                 // "openai" | "anthropic" | "azure_openai"
  SecretRef secret_key_ref;
  std::optional<std::string> base_url;  // else (openai) OPENAI_BASE_URL, else the provider's default
  int timeout_ms = 120000;
  // azure_openai: the deployment serving every model, or one per model (the map wins), and the
  // api-version query parameter.
  std::optional<std::string> deployment;
  std::map<std::string, std::string> deployments;
  std::optional<std::string> api_version;
  // Retries and fallbacks (on 5xx, timeout, connect error): see gateway/attempt_plan.hpp.
  std::optional<std::string> model;  // the model this target serves when reached as a fallback
  struct Retries {
    int max = 0;          // further attempts on this target after the first
    int backoff_ms = 200;  // doubles after each retry
  } retries;
  struct Fallback {
    std::string target;                // id of another target
    std::optional<std::string> model;  // overrides that target's `model`; else the request's model
  };
  std::vector<Fallback> fallbacks;  // tried in order once this target's retries are spent
};

inline constexpr const char* kDefaultAzureApiVersion = "2024-10-21";

// Limits on a consumer group's traffic (docs/traffic.md "Rate limits and the spend-rate breaker"). Each
// is optional; a group takes every limit it does not set from `rate_limit_defaults`.
struct RateLimits {
  std::optional<int64_t> requests_per_minute, tokens_per_minute, tokens_per_day;
  std::optional<Money> max_spend_per_minute, max_spend_per_hour;  // USD, exact
  std::optional<bool> response_headers;                           // x-ratelimit-* on every answer
  std::optional<std::string> mode;                                 // enforce | shadow (docs/traffic.md "Shadow mode")
  bool shadow() const { return mode && *mode == std::string_view(kModeShadow); }
  bool any_limit() const {
    return requests_per_minute || tokens_per_minute || tokens_per_day || max_spend_per_minute || max_spend_per_hour;
  }
  // This group's limits, each unset one taken from `defaults`.
  RateLimits over(const RateLimits& defaults) const;
};

// The consumer group named "default" without an api_key catches every request whose key matches
// no group (or that sends none): off unless the config has one.
inline constexpr const char* kDefaultGroupName = "default";

struct ConsumerGroup {
  std::string name;
  std::string api_key;  // empty only for the default group
  std::string wallet_team_id;
  std::vector<std::string> allowed_models = {};  // globs (* and ?); empty: every model
  RateLimits rate_limits = {};                   // with rate_limit_defaults applied
  bool is_default() const { return api_key.empty(); }
  bool allows_model(std::string_view model) const;
};

struct BudgetAlert {
  int threshold_percent = 0;  // 1..1000
  std::string action;         // "notify" | "block"
  std::string mode = kModeEnforce;  // shadow: a "block" only records would_block (never the wallet's floor)
};

// Budget leases (see docs/ledger.md "Budget leases"): each gateway worker holds a slice of a wallet and
// reserves against it in-process, so a request makes no API call.
struct BudgetLeases {
  bool enabled = true;
  int64_t ttl_seconds = 60;           // a lease not renewed within this returns to the wallet
  Money max_amount = Money::from_nanos(100'000'000'000);  // the most one lease asks for ($100)
  int64_t idle_return_seconds = 30;   // a lease unused this long is given back
};

// The gateway's durable ledger log (see docs/ledger.md "How money reaches the ledger"): what each
// gateway may hold answered but not yet applied, and when it reaches the disk.
struct LedgerLogConfig {
  std::string fsync = "interval";        // interval | always | off
  int64_t fsync_interval_ms = 100;       // interval: a power cut loses at most this much
  int64_t max_unapplied_records = 50000;  // per gateway process (split over its workers)
  int64_t max_unapplied_mb = 256;        // per gateway process: also bounds the spool on disk
  int64_t backlog_wait_ms = 2000;        // a request waits this long for the ledger, then gets 503
  int64_t segment_mb = 16;               // size of one spool segment file
};

struct CostTracking {
  BudgetLeases leases;
  LedgerLogConfig ledger_log;
  bool enabled = false;
  bool wallet_enforcement = false;                 // alias: enforce_budget
  std::vector<BudgetAlert> budget_alerts;          // alias: alert_thresholds
  // A model the price book does not know: "reject" (400 unknown_model, nothing forwarded) or
  // "allow" (served at cost 0 with a warning). Reject by default: an unpriced model must not be free.
  std::string unknown_model = "reject";
  // When the wallet cannot cover the worst case: "reject" (402, the tutorial) or "clamp"
  // (lower max_tokens so the request fits; 402 only when not even a short answer fits).
  std::string on_insufficient = "reject";
  std::optional<std::string> alert_webhook_url;
};

struct ApiConnection {
  std::string url;                              // http://localhost:8080
  std::string token_env = "KEEPTRUSTS_API_TOKEN";
  // Post the config's model_pricing to the API at start (global prices: needs an admin token).
  bool seed_prices = false;
};

// A content_filter's own pattern (PCRE2): `patterns: [{name: ssn, regex: '\b\d{3}-\d{2}-\d{4}\b'}]`.
// Events and redactions name it, never the matched text.
struct ContentPattern {
  std::string name, regex;
};

struct Policy {
  std::string name;
  std::string type;    // "content_filter"
  std::string action;  // "flag" | "block" | "redact"
  std::string mode = kModeEnforce;  // enforce | shadow
  // content_filter
  std::vector<std::string> categories;  // hate, violence, sexual, self_harm
  std::vector<ContentPattern> patterns;
  // low | medium (default) | high: the matched weight that triggers (see config/schema_constants.hpp).
  std::string threshold = "medium";
  bool shadow() const { return mode == kModeShadow; }
};

// One entry of `model_pricing:` (USD per 1K tokens, exact): seeded into the API at start when
// api.seed_prices is true.
struct ModelPrice {
  std::string model, provider;
  Money input_per_1k, output_per_1k;
  std::optional<Money> cached_input_per_1k;
  std::optional<int64_t> max_output_tokens;
};

// `metrics:` — GET /metrics on the gateway port is open unless token_env names the variable
// holding the token it then requires (Authorization: Bearer).
struct MetricsConfig {
  std::optional<std::string> token_env;
};

// `cache:` — the response cache (docs/traffic.md "Response cache"): exact match only, in each worker's
// memory or in Redis shared by gateways (`backend: redis`, `url`). `mode: semantic` and
// `backend: filesystem` are documented shapes this build refuses (E004).
struct ResponseCacheConfig {
  bool enabled = false;
  std::string mode = "exact";
  int64_t ttl_seconds = 300;
  int64_t max_entries = 10000;
  std::string backend = "memory";
  std::optional<RedisUrl> redis;  // set for backend: redis
};

struct GatewayConfig {
  std::string version;
  ResponseCacheConfig cache;
  std::vector<Target> targets;
  std::vector<ConsumerGroup> consumer_groups;
  RateLimits rate_limit_defaults;
  CostTracking cost_tracking;
  std::optional<ApiConnection> api;
  std::vector<Policy> policies;
  std::vector<ModelPrice> model_pricing;
  // Dated or other names priced as a model of the price book: {"gpt-4o-mini-2024-07-18": "gpt-4o-mini"}.
  // Only these: a name is never matched to a price by its prefix.
  std::map<std::string, std::string> model_aliases;
  MetricsConfig metrics;
  std::string source_path;
};

struct Diagnostic {
  std::string code;        // E001 unknown policy kind, E002 unknown key, E003 policy without config,
                           // E004 wrong type / bad value, E005 missing required field, E000 YAML syntax
  std::string path;        // "cost_tracking.budget_alerts[1].action"
  int line = 0, column = 0;  // 1-based
  std::string message;
  std::string suggestion;  // did-you-mean, may be empty
  bool warning = false;
};

struct LoadResult {
  std::shared_ptr<const GatewayConfig> config;  // null when there are errors
  std::vector<Diagnostic> diagnostics;          // errors and warnings
  bool ok() const { return config != nullptr; }
};

LoadResult load_gateway_config_file(const std::string& path);
LoadResult load_gateway_config_text(const std::string& yaml, const std::string& source_name);

// "error[E002]: unknown key 'wallet_enforcment'\n  --> file:12:3\n  help: did you mean 'wallet_enforcement'?"
std::string format_diagnostic(const Diagnostic& d, const std::string& file);

}  // namespace kt::config
