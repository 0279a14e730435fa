#include "gateway/metrics/worker_metrics.hpp"

#include "gateway/pipeline/request_context.hpp"

namespace kt::gateway::metrics {
namespace {

// Key layout (bit 63 always set, so no key is 0, the table's empty slot):
//   code 0-9 | decision 10-13 | route 14-17 | provider 18-21 | model 22-33 | team 34-45
constexpr uint64_t kKeyTag = uint64_t(1) << 63;
constexpr uint64_t field(uint64_t v, int bits) { return v < (uint64_t(1) << bits) ? v : (uint64_t(1) << bits) - 1; }

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

uint64_t non_negative(int64_t v) { return v > 0 ? uint64_t(v) : 0; }

}  // namespace

void TokenCounts::add(const TokenCounts& o) {
  input += o.input;
  cached_input += o.cached_input;
  cache_write += o.cache_write;
  output += o.output;
  reasoning += o.reasoning;
  spend_nanos = saturating_add(spend_nanos, o.spend_nanos);
}

uint64_t request_key(const RequestLabels& l) {
  uint64_t code = l.code >= 0 && l.code < 1000 ? uint64_t(l.code) : 1023;
  return kKeyTag | code | field(l.decision, 4) << 10 | field(l.route, 4) << 14 | field(l.provider, 4) << 18 |
         field(l.model, 12) << 22 | field(l.team, 12) << 34;
}

RequestLabels request_labels_of(uint64_t key) {
  RequestLabels l;
  l.code = int(key & 1023);
  l.decision = (key >> 10) & 15;
  l.route = (key >> 14) & 15;
  l.provider = (key >> 18) & 15;
  l.model = (key >> 22) & 4095;
  l.team = (key >> 34) & 4095;
  return l;
}

uint64_t usage_key(size_t team, size_t model) { return kKeyTag | field(model, 12) | field(team, 12) << 12; }

void usage_labels_of(uint64_t key, size_t& team, size_t& model) {
  model = key & 4095;
  team = (key >> 12) & 4095;
}

WorkerMetrics::WorkerMetrics(const config::GatewayConfig& cfg) : teams_(cfg), balances_(teams_.size()) {
  model_names_ = {std::string(kNone), "unpriced"};
}

uint16_t WorkerMetrics::model_id(const std::string& priced_model) {
  auto it = model_ids_.find(priced_model);
  if (it != model_ids_.end()) return it->second;
  if (model_names_.size() >= kMaxModels) return kModelOther;
  auto id = uint16_t(model_names_.size());
  model_names_.push_back(priced_model);
  model_ids_.emplace(priced_model, id);
  return id;
}

void WorkerMetrics::request_finished(const RequestContext& ctx, int64_t now_us) {
  RequestLabels l;
  if (ctx.group) {
    l.team = teams_.of_group(ctx.group);
    if (l.team >= kMaxTeams) l.team = kMaxTeams;  // "other"
  }
  l.model = ctx.metric_model;
  if (ctx.provider) l.provider = index_in(kProviderLabels, ctx.provider->name());
  else if (ctx.price) l.provider = index_in(kProviderLabels, ctx.price->provider);
  l.route = route_index(ctx.route_kind);
  l.decision = index_in(kDecisionLabels, ctx.decision);
  l.code = ctx.status;
  ++requests_.at(request_key(l));

  if (ctx.usage || ctx.cost) {
    TokenCounts& t = usage_.at(usage_key(l.team, l.model));
    if (ctx.usage) {
      const auto& u = *ctx.usage;
      t.input += non_negative(u.prompt_tokens - u.cached_tokens - u.cache_creation_tokens);
      t.cached_input += non_negative(u.cached_tokens);
      t.cache_write += non_negative(u.cache_creation_tokens);
      t.output += non_negative(u.completion_tokens);
      t.reasoning += non_negative(u.reasoning_tokens);
    }
    if (ctx.cost) t.spend_nanos = saturating_add(t.spend_nanos, ctx.cost->nanos());
  }
  if (ctx.decision == "block") ++refusals_[index_in(kRefusalReasons, ctx.reason)];

  const int64_t duration = now_us - ctx.started_mono_us;
  request_duration_.observe(duration, kLatencyBoundsUs);
  if (!ctx.attempts.empty()) added_latency_.observe(duration - ctx.upstream_total_us, kAddedBoundsUs);
  if (ctx.first_token_us > 0) first_token_.observe(ctx.first_token_us, kLatencyBoundsUs);
  if (ctx.balance && l.team < teams_.size()) balance_seen(l.team, *ctx.balance, now_us);
}

void WorkerMetrics::balance_seen(size_t team, const ledger::Balance& b, int64_t now_us) {
  if (team >= balances_.size()) return;
  balances_[team] = {now_us, b.budget, b.spent, b.reserved, b.leased};
}

void WorkerMetrics::balance_seen(const std::string& team_id, const ledger::Balance& b, int64_t now_us) {
  balance_seen(teams_.find(team_id), b, now_us);
}

void WorkerMetrics::snapshot_into(WorkerSnapshot& s) const {
  s.models = model_names_;
  requests_.for_each([&](uint64_t k, uint64_t v) { s.requests.emplace_back(k, v); });
  usage_.for_each([&](uint64_t k, const TokenCounts& v) { s.usage.emplace_back(k, v); });
  s.refusals = refusals_;
  s.request_duration = request_duration_;
  s.upstream_duration = upstream_duration_;
  s.first_token = first_token_;
  s.added_latency = added_latency_;
  s.balances = balances_;
}

}  // namespace kt::gateway::metrics
