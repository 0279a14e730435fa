#pragma once
// The traffic rules of policy-config.yaml: `rate_limit_defaults:`, a consumer group's
// `rate_limits:` and `allowed_models:`, and `cache:` (docs/traffic.md "Rate limits and the spend-rate breaker").
#include "config/gateway_config.hpp"
#include "config/yaml_reader.hpp"

namespace kt::config {

// `{requests_per_minute, tokens_per_minute, tokens_per_day, max_spend_per_minute,
// max_spend_per_hour, response_headers}`: counts are positive integers, spend bounds positive USD
// amounts read exactly from the YAML text (E004 otherwise, E002 for an unknown key).
void load_rate_limits(const Field& f, RateLimits& out, DiagnosticSink& sink);
// `cache: {enabled, mode: exact, ttl_seconds, max_entries, backend: memory}` (E004 for a mode or
// backend this build has not, E002 for an unknown key).
void load_response_cache(const Field& f, ResponseCacheConfig& out, DiagnosticSink& sink);
// A non-empty list of model names or globs (`claude-*`, `gpt-4o?`).
void load_allowed_models(const Field& f, std::vector<std::string>& out, DiagnosticSink& sink);
// `*` matches any run of characters, `?` one character; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace kt::config
