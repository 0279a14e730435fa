#pragma once
// One worker's metrics: plain integers touched only on the worker's thread. A request updates
// them once, at its end (finish_request), with no lock and no allocation: its labels are small
// indexes (team from the config, model from the price book, fixed lists for the rest) packed
// into one key. /metrics copies them out on each worker's own thread and adds them up
// (metrics_scrape.hpp), so no counter is ever read by another thread while it is written.
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/gateway_config.hpp"
#include "core/money.hpp"
#include "gateway/metrics/counters.hpp"
#include "gateway/metrics/metric_labels.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {
struct RequestContext;
}

namespace kt::gateway::metrics {

// Model label ids: resolved once per request from the price book's name of the model.
inline constexpr uint16_t kModelNone = 0;      // not priced (refused before its price was looked up)
inline constexpr uint16_t kModelUnpriced = 1;  // the price book has no such model
inline constexpr uint16_t kModelOther = 4095;  // past kMaxModels distinct names
inline constexpr size_t kMaxModels = 4000;
inline constexpr size_t kMaxTeams = 4000;     // teams past this (and none) count as "other"
inline constexpr size_t kTeamNone = 4094;     // a request without a consumer group

struct TokenCounts {
  uint64_t input = 0, cached_input = 0, cache_write = 0, output = 0, reasoning = 0;
  int64_t spend_nanos = 0;  // saturates rather than wraps
  bool operator==(const TokenCounts&) const = default;
  void add(const TokenCounts& o);
};

// A wallet's balance as this worker last heard it from the API (a reservation's answer, an
// applied batch of its ledger log), and when.
struct SeenBalance {
  int64_t seen_us = 0;  // 0: never
  Money budget, spent, reserved, leased;
};

// What a request is counted under.
struct RequestLabels {
  size_t team = kTeamNone, model = kModelNone, provider = 0, route = 0, decision = 0;
  int code = 0;
};
uint64_t request_key(const RequestLabels& l);
RequestLabels request_labels_of(uint64_t key);  // kOverflowKey: every index "other"
uint64_t usage_key(size_t team, size_t model);
void usage_labels_of(uint64_t key, size_t& team, size_t& model);

// One worker's counters as copied out for a scrape (the money path's health is added by the
// scrape, which has the worker's log and leases).
struct WorkerSnapshot {
  std::vector<std::string> models;  // model id -> name (this worker's ids)
  std::vector<std::pair<uint64_t, uint64_t>> requests;
  std::vector<std::pair<uint64_t, TokenCounts>> usage;
  std::array<uint64_t, kRefusalReasons.size() + 1> refusals{};
  LatencyHistogram request_duration, upstream_duration, first_token;
  AddedHistogram added_latency;
  std::vector<SeenBalance> balances;  // by team
  // Health of the money path.
  std::vector<Money> lease_headroom;  // by team
  bool leases = false, ledger_log = false;
  int64_t ledger_lag_us = 0;
  uint64_t unapplied_records = 0, spool_bytes = 0, events_dropped = 0;
  uint64_t ledger_client_failures = 0, log_shipper_failures = 0;
};

class WorkerMetrics {
 public:
  explicit WorkerMetrics(const config::GatewayConfig& cfg);

  // The label id of a model the price book prices (its name there, never the client's
  // spelling). Allocates only the first time this worker sees the name.
  uint16_t model_id(const std::string& priced_model);
  // One upstream call (each attempt of a retried request is one).
  void upstream_call(int64_t us) { upstream_duration_.observe(us, kLatencyBoundsUs); }
  // A priced-route request's end (`now_us`: mono_us()): counted by its labels, tokens, spend,
  // refusal and durations.
  void request_finished(const RequestContext& ctx, int64_t now_us);
  void balance_seen(size_t team, const ledger::Balance& b, int64_t now_us);
  void balance_seen(const std::string& team_id, const ledger::Balance& b, int64_t now_us);

  const TeamLabels& teams() const { return teams_; }
  LedgerLag ledger_lag;

  void snapshot_into(WorkerSnapshot& s) const;

 private:
  TeamLabels teams_;
  std::unordered_map<std::string, uint16_t> model_ids_;
  std::vector<std::string> model_names_;
  SeriesTable<uint64_t> requests_{4096};
  SeriesTable<TokenCounts> usage_{1024};
  std::array<uint64_t, kRefusalReasons.size() + 1> refusals_{};
  LatencyHistogram request_duration_, upstream_duration_, first_token_;
  AddedHistogram added_latency_;
  std::vector<SeenBalance> balances_;
};

}  // namespace kt::gateway::metrics
