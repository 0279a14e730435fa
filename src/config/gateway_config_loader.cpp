// Loads and validates policy-config.yaml (the tutorial's Step 3 schema) into a GatewayConfig.
// Validation collects every problem it can find in one pass; see yaml_reader.hpp for the helpers.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "config/gateway_config.hpp"
#include "config/did_you_mean.hpp"
#include "config/model_pricing_loader.hpp"
#include "config/policies_loader.hpp"
#include "config/schema_constants.hpp"
#include "config/traffic_rules_loader.hpp"
#include "config/yaml_reader.hpp"

namespace kt::config {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 11> kTopKeys = {"version",       "providers",     "consumer_groups",
                                                        "cost_tracking", "api",           "policies",
                                                        "model_pricing", "model_aliases", "metrics",
                                                        "rate_limit_defaults", "cache"};
constexpr std::array<std::string_view, 1> kProviderKeys = {"targets"};
constexpr std::array<std::string_view, 11> kTargetKeys = {"id",         "provider",   "secret_key_ref", "base_url",
                                                          "timeout_ms", "deployment", "deployments",    "api_version",
                                                          "model",      "retries",    "fallbacks"};
constexpr std::array<std::string_view, 2> kRetryKeys = {"max", "backoff_ms"};
constexpr std::array<std::string_view, 2> kFallbackKeys = {"target", "model"};
constexpr std::array<std::string_view, 1> kSecretRefKeys = {"env"};
constexpr std::array<std::string_view, 5> kGroupKeys = {"name", "api_key", "wallet_team_id", "allowed_models",
                                                        "rate_limits"};
constexpr std::array<std::string_view, 10> kCostKeys = {"enabled",           "wallet_enforcement", "enforce_budget",
                                                        "budget_alerts",     "alert_thresholds",   "unknown_model",
                                                        "alert_webhook_url", "on_insufficient",    "leases",
                                                        "ledger_log"};
constexpr std::array<std::string_view, 6> kLedgerLogKeys = {"fsync",          "fsync_interval_ms", "max_unapplied_records",
                                                            "max_unapplied_mb", "backlog_wait_ms", "segment_mb"};
constexpr std::array<std::string_view, 3> kFsyncPolicies = {"interval", "always", "off"};
constexpr std::array<std::string_view, 4> kLeaseKeys = {"enabled", "ttl_seconds", "max_amount", "idle_return_seconds"};
constexpr std::array<std::string_view, 3> kAlertKeys = {"threshold_percent", "action", "mode"};
constexpr std::array<std::string_view, 3> kApiKeys = {"url", "token_env", "seed_prices"};
constexpr std::array<std::string_view, 1> kMetricsKeys = {"token_env"};
constexpr std::array<std::string_view, 1> kSupportedVersions = {"1"};

// Reads the `main` key or its documented alias; both at once is ambiguous and an error.
const Field* main_or_alias(const MapView& m, std::string_view main, std::string_view alias, DiagnosticSink& sink) {
  const Field* a = m.get(main);
  const Field* b = m.get(alias);
  if (a && b) {
    sink.error("E004", b->path, b->key_node.Mark(),
               "'" + std::string(alias) + "' is an alias of '" + std::string(main) + "': give only one of them",
               "remove '" + std::string(alias) + "'");
  }
  return a ? a : b;
}

class Loader {
 public:
  explicit Loader(DiagnosticSink& sink) : sink_(sink) {}

  void load(const YAML::Node& root, GatewayConfig& cfg) {
    if (root.IsNull()) {
      sink_.error("E005", "version", root.Mark(), "the configuration is empty: missing required key 'version'");
      return;
    }
    if (!expect_map(root, "(document)", sink_)) return;
    MapView top(root, "", kTopKeys, sink_);
    if (const Field* f = top.require("version")) {
      if (auto v = read_choice(f->value, f->path, kSupportedVersions, sink_)) cfg.version = *v;
    }
    if (const Field* f = top.get("providers")) providers(*f, cfg);
    if (const Field* f = top.get("rate_limit_defaults")) load_rate_limits(*f, cfg.rate_limit_defaults, sink_);
    if (const Field* f = top.get("consumer_groups")) consumer_groups(*f, cfg);
    if (const Field* f = top.get("cost_tracking")) cost_tracking(*f, cfg.cost_tracking);
    if (const Field* f = top.get("api")) api(*f, cfg);
    if (const Field* f = top.get("policies")) load_policies(*f, cfg.policies, sink_);
    if (const Field* f = top.get("model_pricing")) load_model_pricing(*f, cfg.model_pricing, sink_);
    if (const Field* f = top.get("model_aliases")) model_aliases(*f, cfg.model_aliases);
    if (const Field* f = top.get("metrics")) metrics(*f, cfg.metrics);
    if (const Field* f = top.get("cache")) load_response_cache(*f, cfg.cache, sink_);

    if (!top.get("providers"))
      sink_.warning("W005", "providers", root.Mark(), "no providers.targets: the gateway has nowhere to send requests");
    if (const Field* f = top.get("model_pricing"); f && !cfg.model_pricing.empty() && !(cfg.api && cfg.api->seed_prices))
      sink_.warning("W008", f->path, f->key_node.Mark(),
                    "model_pricing is not written to the API unless api.seed_prices is true (global prices: an admin "
                    "token's job)",
                    "set api.seed_prices: true, or seed prices with POST /v1/model-pricing");
    for (const auto& g : cfg.consumer_groups)
      if (g.rate_limits.any_limit() && !top.get("api")) {
        // The limits hold across gateways through the API's allowance grants: none without it.
        sink_.error("E005", "api", root.Mark(), "consumer group '" + g.name + "' has rate limits but there is no 'api' section",
                    "add api: {url: ...}: gateways share rate limits through the API");
        break;
      }
    if (cfg.cost_tracking.enabled && !top.get("api"))
      sink_.warning("W002", "api", root.Mark(),
                    "cost_tracking is enabled but there is no 'api' section: wallets cannot be reached");
  }

 private:
  void providers(const Field& f, GatewayConfig& cfg) {
    if (!expect_map(f.value, f.path, sink_)) return;
    MapView m(f.value, f.path, kProviderKeys, sink_);
    const Field* targets = m.require("targets");
    if (!targets || !expect_list(targets->value, targets->path, sink_)) return;
    std::map<std::string, std::string> seen;  // id -> path
    std::vector<FallbackSite> fallback_sites;
    for (std::size_t i = 0; i < targets->value.size(); ++i) {
      YAML::Node item = targets->value[i];
      std::string path = index_path(targets->path, i);
      if (!expect_map(item, path, sink_)) continue;
      MapView t(item, path, kTargetKeys, sink_);
      Target target;
      if (const Field* id = t.require("id")) {
        if (auto v = read_name(*id, sink_)) {
          target.id = *v;
          if (!seen.emplace(*v, path).second)
            sink_.error("E004", id->path, id->value.Mark(), "duplicate target id '" + *v + "'");
        }
      }
      bool known_provider = false;
      if (const Field* p = t.require("provider")) {
        if (auto v = read_choice(p->value, p->path, kKnownProviders, sink_)) {
          target.provider = *v;
          known_provider = true;
        }
      }
      if (const Field* s = known_provider ? t.require("secret_key_ref") : t.get("secret_key_ref")) {
        if (expect_map(s->value, s->path, sink_)) {
          MapView ref(s->value, s->path, kSecretRefKeys, sink_);
          if (const Field* env = ref.require("env"))
            if (auto v = read_name(*env, sink_)) target.secret_key_ref.env = *v;
        }
      }
      if (const Field* u = t.get("base_url"))
        if (auto v = read_http_url(*u, sink_)) target.base_url = *v;
      if (const Field* to = t.get("timeout_ms")) {
        if (auto v = read_int(to->value, to->path, sink_)) {
          if (*v <= 0 || *v > 3'600'000)
            sink_.error("E004", to->path, to->value.Mark(), to->path + ": must be between 1 and 3600000 milliseconds");
          else
            target.timeout_ms = static_cast<int>(*v);
        }
      }
      azure_fields(t, item, target);
      retries_and_fallbacks(t, target, fallback_sites);
      cfg.targets.push_back(std::move(target));
    }
    check_fallback_targets(cfg, fallback_sites);
  }

  // Where a fallback was written, to point at it once every target id is known.
  struct FallbackSite {
    std::string owner, target, path;
    YAML::Mark mark;
  };

  void retries_and_fallbacks(const MapView& t, Target& target, std::vector<FallbackSite>& sites) {
    if (const Field* m = t.get("model"))
      if (auto v = read_name(*m, sink_)) target.model = *v;
    if (const Field* r = t.get("retries")) {
      if (expect_map(r->value, r->path, sink_)) {
        MapView rm(r->value, r->path, kRetryKeys, sink_);
        if (const Field* mx = rm.get("max"))
          if (auto v = read_bounded(*mx, 0, kMaxRetries, "")) target.retries.max = static_cast<int>(*v);
        if (const Field* b = rm.get("backoff_ms"))
          if (auto v = read_bounded(*b, 0, kMaxBackoffMs, " milliseconds")) target.retries.backoff_ms = static_cast<int>(*v);
      }
    }
    const Field* fb = t.get("fallbacks");
    if (!fb || !expect_list(fb->value, fb->path, sink_)) return;
    for (std::size_t i = 0; i < fb->value.size(); ++i) {
      YAML::Node item = fb->value[i];
      std::string path = index_path(fb->path, i);
      Target::Fallback f;
      YAML::Mark mark = item.Mark();
      if (item.IsScalar()) {  // `fallbacks: [backup]`
        if (auto v = read_name(item, path, sink_)) f.target = *v;
      } else if (expect_map(item, path, sink_)) {  // `fallbacks: [{target: backup, model: gpt-4o}]`
        MapView fm(item, path, kFallbackKeys, sink_);
        if (const Field* tf = fm.require("target")) {
          mark = tf->value.Mark();
          path = tf->path;
          if (auto v = read_name(*tf, sink_)) f.target = *v;
        }
        if (const Field* mf = fm.get("model"))
          if (auto v = read_name(*mf, sink_)) f.model = *v;
      }
      if (f.target.empty()) continue;
      sites.push_back({target.id, f.target, path, mark});
      target.fallbacks.push_back(std::move(f));
    }
  }

  std::optional<int64_t> read_bounded(const Field& f, int64_t lo, int64_t hi, const char* unit) {
    auto v = read_int(f.value, f.path, sink_);
    if (v && (*v < lo || *v > hi)) {
      sink_.error("E004", f.path, f.value.Mark(),
                  f.path + ": must be between " + std::to_string(lo) + " and " + std::to_string(hi) + unit);
      return std::nullopt;
    }
    return v;
  }

  void check_fallback_targets(const GatewayConfig& cfg, const std::vector<FallbackSite>& sites) {
    std::vector<std::string_view> ids;
    for (const auto& t : cfg.targets) ids.push_back(t.id);
    for (const auto& s : sites) {
      if (s.target == s.owner) {
        sink_.error("E004", s.path, s.mark, "target '" + s.owner + "' lists itself as a fallback",
                    "use retries: {max: N} to try the same target again");
      } else if (std::find(ids.begin(), ids.end(), s.target) == ids.end()) {
        std::string m = closest_match(s.target, ids);
        sink_.error("E004", s.path, s.mark, "fallback target '" + s.target + "' is not a target id",
                    m.empty() ? std::string() : "did you mean '" + m + "'?");
      }
    }
  }

  // deployment / deployments / api_version: Azure OpenAI only, which also needs its resource URL.
  void azure_fields(const MapView& t, const YAML::Node& item, Target& target) {
    if (const Field* d = t.get("deployment"))
      if (auto v = read_name(*d, sink_)) target.deployment = *v;
    if (const Field* ds = t.get("deployments")) {
      if (expect_map(ds->value, ds->path, sink_))
        for (auto it = ds->value.begin(); it != ds->value.end(); ++it) {
          std::string model = it->first.Scalar();
          if (auto v = read_name(it->second, join_path(ds->path, model), sink_)) target.deployments[model] = *v;
        }
    }
    if (const Field* a = t.get("api_version"))
      if (auto v = read_name(*a, sink_)) target.api_version = *v;
    bool azure = target.provider == "azure_openai";
    if (!azure) {
      for (const char* key : {"deployment", "deployments", "api_version"})
        if (const Field* f = t.get(key))
          sink_.error("E004", f->path, f->key_node.Mark(), f->path + ": only azure_openai targets take '" + key + "'");
      return;
    }
    if (!t.get("base_url"))
      sink_.error("E005", t.path() + ".base_url", item.Mark(),
                  "azure_openai target needs base_url (https://{resource}.openai.azure.com)");
    if (!target.deployment && target.deployments.empty())
      sink_.warning("W006", t.path(), item.Mark(),
                    "azure_openai target has no deployment or deployments: the model name is used as the deployment");
  }

  void consumer_groups(const Field& f, GatewayConfig& cfg) {
    if (!expect_list(f.value, f.path, sink_)) return;
    std::map<std::string, std::string> names, keys;  // value -> group name or path
    for (std::size_t i = 0; i < f.value.size(); ++i) {
      YAML::Node item = f.value[i];
      std::string path = index_path(f.path, i);
      if (!expect_map(item, path, sink_)) continue;
      MapView m(item, path, kGroupKeys, sink_);
      ConsumerGroup g;
      if (const Field* n = m.require("name")) {
        if (auto v = read_name(*n, sink_)) {
          g.name = *v;
          if (!names.emplace(*v, path).second)
            sink_.error("E004", n->path, n->value.Mark(), "duplicate consumer group name '" + *v + "'");
        }
      }
      // The group named "default" may leave out api_key: it then catches unmatched keys.
      const Field* k = g.name == kDefaultGroupName ? m.get("api_key") : m.require("api_key");
      if (k) {
        if (auto v = read_name(*k, sink_)) {
          g.api_key = *v;
          // Never echo the key itself: lint output ends up in CI logs.
          auto [it, fresh] = keys.emplace(*v, g.name.empty() ? path : g.name);
          if (!fresh)
            sink_.error("E004", k->path, k->value.Mark(), "api_key is already used by consumer group '" + it->second + "'");
          else if (v->size() < kMinApiKeyLength)
            sink_.warning("W001", k->path, k->value.Mark(),
                          "api_key is shorter than " + std::to_string(kMinApiKeyLength) + " characters: easy to guess");
        }
      }
      if (const Field* w = m.require("wallet_team_id"))
        if (auto v = read_name(*w, sink_)) g.wallet_team_id = *v;
      if (const Field* a = m.get("allowed_models")) load_allowed_models(*a, g.allowed_models, sink_);
      if (const Field* r = m.get("rate_limits")) load_rate_limits(*r, g.rate_limits, sink_);
      g.rate_limits = g.rate_limits.over(cfg.rate_limit_defaults);
      cfg.consumer_groups.push_back(std::move(g));
    }
  }

  void cost_tracking(const Field& f, CostTracking& ct) {
    if (!expect_map(f.value, f.path, sink_)) return;
    MapView m(f.value, f.path, kCostKeys, sink_);
    if (const Field* e = m.get("enabled"))
      if (auto v = read_bool(*e, sink_)) ct.enabled = *v;
    if (const Field* w = main_or_alias(m, "wallet_enforcement", "enforce_budget", sink_))
      if (auto v = read_bool(*w, sink_)) ct.wallet_enforcement = *v;
    if (const Field* a = main_or_alias(m, "budget_alerts", "alert_thresholds", sink_)) budget_alerts(*a, ct);
    if (const Field* u = m.get("unknown_model"))
      if (auto v = read_choice(u->value, u->path, kUnknownModelModes, sink_)) ct.unknown_model = *v;
    if (const Field* o = m.get("on_insufficient"))
      if (auto v = read_choice(o->value, o->path, kOnInsufficientModes, sink_)) ct.on_insufficient = *v;
    if (const Field* u = m.get("alert_webhook_url"))
      if (auto v = read_http_url(*u, sink_)) ct.alert_webhook_url = *v;
    if (const Field* l = m.get("leases")) leases(*l, ct.leases);
    if (const Field* l = m.get("ledger_log")) ledger_log(*l, ct.ledger_log);
    if (ct.wallet_enforcement && !ct.enabled && m.get("enabled"))
      sink_.warning("W004", f.path + ".wallet_enforcement", f.value.Mark(),
                    "wallet_enforcement has no effect while cost_tracking.enabled is false");
  }

  void ledger_log(const Field& f, LedgerLogConfig& l) {
    if (!expect_map(f.value, f.path, sink_)) return;
    MapView m(f.value, f.path, kLedgerLogKeys, sink_);
    if (const Field* x = m.get("fsync"))
      if (auto v = read_choice(x->value, x->path, kFsyncPolicies, sink_)) l.fsync = *v;
    if (const Field* x = m.get("fsync_interval_ms"))
      if (auto v = read_bounded(*x, 1, 10000, " milliseconds")) l.fsync_interval_ms = *v;
    if (const Field* x = m.get("max_unapplied_records"))
      if (auto v = read_bounded(*x, 100, 100000000, " records")) l.max_unapplied_records = *v;
    if (const Field* x = m.get("max_unapplied_mb"))
      if (auto v = read_bounded(*x, 1, 1000000, " MB")) l.max_unapplied_mb = *v;
    if (const Field* x = m.get("backlog_wait_ms"))
      if (auto v = read_bounded(*x, 0, 60000, " milliseconds")) l.backlog_wait_ms = *v;
    if (const Field* x = m.get("segment_mb"))
      if (auto v = read_bounded(*x, 1, 1024, " MB")) l.segment_mb = *v;
  }

  void leases(const Field& f, BudgetLeases& l) {
    if (!expect_map(f.value, f.path, sink_)) return;
    MapView m(f.value, f.path, kLeaseKeys, sink_);
    if (const Field* e = m.get("enabled"))
      if (auto v = read_bool(*e, sink_)) l.enabled = *v;
    if (const Field* t = m.get("ttl_seconds"))
      if (auto v = read_bounded(*t, 5, 3600, " seconds")) l.ttl_seconds = *v;
    if (const Field* t = m.get("idle_return_seconds"))
      if (auto v = read_bounded(*t, 1, 3600, " seconds")) l.idle_return_seconds = *v;
    if (const Field* a = m.get("max_amount")) {
      std::optional<Money> amount;
      if (a->value.IsScalar()) amount = Money::parse(a->value.Scalar());
      if (!amount || amount->nanos() <= 0)
        sink_.error("E004", a->path, a->value.Mark(), a->path + ": expected a positive amount in dollars, like 1.00");
      else
        l.max_amount = *amount;
    }
  }

  void budget_alerts(const Field& f, CostTracking& ct) {
    if (!expect_list(f.value, f.path, sink_)) return;
    bool sorted = true;
    for (std::size_t i = 0; i < f.value.size(); ++i) {
      YAML::Node item = f.value[i];
      std::string path = index_path(f.path, i);
      BudgetAlert alert{0, "notify"};
      std::string percent_path = path;
      YAML::Node percent_value;
      if (item.IsScalar()) {
        // Shorthand seen in the docs: `alert_thresholds: [50, 80, 100]` means notify at each.
        percent_value = item;
      } else {
        if (!expect_map(item, path, sink_)) continue;
        MapView m(item, path, kAlertKeys, sink_);
        const Field* p = m.require("threshold_percent");
        if (const Field* a = m.require("action"))
          if (auto v = read_choice(a->value, a->path, kBudgetAlertActions, sink_)) alert.action = *v;
        if (const Field* md = m.get("mode"))
          if (auto v = read_choice(md->value, md->path, kModes, sink_)) alert.mode = *v;
        if (!p) continue;
        percent_value = p->value;
        percent_path = p->path;
      }
      auto v = read_int(percent_value, percent_path, sink_);
      if (!v) continue;
      if (*v < kMinThresholdPercent || *v > kMaxThresholdPercent) {
        sink_.error("E004", percent_path, percent_value.Mark(),
                    percent_path + ": must be between " + std::to_string(kMinThresholdPercent) + " and " +
                        std::to_string(kMaxThresholdPercent));
        continue;
      }
      alert.threshold_percent = static_cast<int>(*v);
      if (!ct.budget_alerts.empty() && ct.budget_alerts.back().threshold_percent >= alert.threshold_percent)
        sorted = false;
      ct.budget_alerts.push_back(std::move(alert));
    }
    if (!sorted)
      sink_.warning("W003", f.path, f.value.Mark(), "budget alert thresholds are not in increasing order");
  }

  void api(const Field& f, GatewayConfig& cfg) {
    if (!expect_map(f.value, f.path, sink_)) return;
    MapView m(f.value, f.path, kApiKeys, sink_);
    ApiConnection conn;
    if (const Field* u = m.require("url"))
      if (auto v = read_http_url(*u, sink_)) conn.url = *v;
    if (const Field* t = m.get("token_env"))
      if (auto v = read_name(*t, sink_)) conn.token_env = *v;
    if (const Field* p = m.get("seed_prices"))
      if (auto v = read_bool(*p, sink_)) conn.seed_prices = *v;
    cfg.api = std::move(conn);
  }

  void metrics(const Field& f, MetricsConfig& out) {
    if (!expect_map(f.value, f.path, sink_)) return;
    MapView m(f.value, f.path, kMetricsKeys, sink_);
    if (const Field* t = m.get("token_env"))
      if (auto v = read_name(*t, sink_)) out.token_env = *v;
  }

  // `model_aliases: {gpt-4o-mini-2024-07-18: gpt-4o-mini}`: a dated name priced as the model it
  // names. One hop only, so what a name costs is visible on one line of the file.
  void model_aliases(const Field& f, std::map<std::string, std::string>& out) {
    if (!expect_map(f.value, f.path, sink_)) return;
    std::vector<std::pair<std::string, YAML::Node>> sites;  // alias -> its value node
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
      auto alias = read_name(it->first, f.path, sink_);
      if (!alias) continue;
      std::string path = join_path(f.path, *alias);
      auto priced = read_name(it->second, path, sink_);
      if (!priced) continue;
      if (*priced == *alias) {
        sink_.error("E004", path, it->second.Mark(), path + ": a model cannot be an alias of itself");
      } else if (!out.emplace(*alias, *priced).second) {
        sink_.error("E004", path, it->first.Mark(), "model alias '" + *alias + "' is given twice");
      } else {
        sites.emplace_back(*alias, it->second);
      }
    }
    for (const auto& [alias, node] : sites)
      if (out.count(out.at(alias)))
        sink_.error("E004", join_path(f.path, alias), node.Mark(),
                    "'" + alias + "' is an alias of '" + out.at(alias) + "', which is itself an alias",
                    "name the priced model directly: " + alias + ": " + out.at(out.at(alias)));
  }

  DiagnosticSink& sink_;
};

}  // namespace

LoadResult load_gateway_config_text(const std::string& yaml, const std::string& source_name) {
  DiagnosticSink sink;
  auto cfg = std::make_shared<GatewayConfig>();
  cfg->source_path = source_name;
  try {
    YAML::Node root = YAML::Load(yaml);
    Loader(sink).load(root, *cfg);
  } catch (const YAML::Exception& e) {
    sink.error("E000", "", e.mark, "invalid YAML: " + e.msg);
  }
  LoadResult r;
  bool failed = sink.has_errors();
  r.diagnostics = sink.take();
  if (!failed) r.config = std::move(cfg);
  return r;
}

LoadResult load_gateway_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{"E000", "", 0, 0, "cannot read '" + path + "'", "", false});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_gateway_config_text(text.str(), path);
}

std::string format_diagnostic(const Diagnostic& d, const std::string& file) {
  std::string out = (d.warning ? "warning[" : "error[") + d.code + "]: " + d.message + "\n  --> " + file;
  if (d.line > 0) out += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  if (!d.suggestion.empty()) out += "\n  help: " + d.suggestion;
  return out;
}

}  // namespace kt::config
