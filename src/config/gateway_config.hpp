#pragma once
// The gateway's configuration (the tutorial's policy-config.yaml), built once, immutable, shared.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kt::config {

struct SecretRef {
  std::string env;  // name of the environment variable that holds the secret
};

struct Target {
  std::string id;
  std::string provider;                 // "openai" (issue 3 adds anthropic, azure, ...)
  SecretRef secret_key_ref;
  std::optional<std::string> base_url;  // else OPENAI_BASE_URL, else https://api.openai.com/v1
  int timeout_ms = 120000;
};

struct ConsumerGroup {
  std::string name;
  std::string api_key;
  std::string wallet_team_id;
};

struct BudgetAlert {
  int threshold_percent = 0;  // 1..1000
  std::string action;         // "notify" | "block"
};

struct CostTracking {
  bool enabled = false;
  bool wallet_enforcement = false;                 // alias: enforce_budget
  std::vector<BudgetAlert> budget_alerts;          // alias: alert_thresholds
  std::string unknown_model = "allow";             // "allow" (cost 0 + warning) | "reject"
  std::optional<std::string> alert_webhook_url;
};

struct ApiConnection {
  std::string url;                              // http://localhost:8080
  std::string token_env = "KEEPTRUSTS_API_TOKEN";
};

struct Policy {
  std::string name;
  std::string type;    // "content_filter"
  std::string action;  // "flag" | "block" | "redact"
  // content_filter
  std::vector<std::string> categories;  // hate, violence, sexual, self_harm
  // low | medium (default) | high: how many matched terms trigger (see config/schema_constants.hpp).
  std::string threshold = "medium";
};

struct GatewayConfig {
  std::string version;
  std::vector<Target> targets;
  std::vector<ConsumerGroup> consumer_groups;
  CostTracking cost_tracking;
  std::optional<ApiConnection> api;
  std::vector<Policy> policies;
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
