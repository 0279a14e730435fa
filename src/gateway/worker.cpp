#include "gateway/worker.hpp"

#include <spdlog/spdlog.h>

#include <map>

namespace kt::gateway {
namespace {

// The worker's own log, as its shipper sees it: the header's report, and what an applied batch
// means for budget leases (the team's balance) and alerts.
class WorkerLogSource final : public ShipSource {
 public:
  WorkerLogSource(Worker& w, const GatewayShared& shared) : w_(w), shared_(shared) {}
  spool::SegmentLog& log() override { return w_.log->segments(); }
  void fill_header(wire::BatchHeader& h, uint64_t through) override {
    const auto& o = w_.log->options();
    h.log_id = o.log_id;
    h.holder = o.holder;
    h.thresholds = shared_.notify_thresholds;
    h.unapplied_records = w_.log->unapplied_records();
    h.unapplied_bytes = w_.log->unapplied_bytes();
    h.pending = w_.log->pending_after(through);
  }
  void applied(const ledger::LogApplyResult& r, uint64_t through) override {
    std::map<std::string, std::pair<std::string, std::string>> last;  // team -> group, request id
    w_.log->applied_through(through, [&](const std::string& team, Money, const std::string& group,
                                         const std::string& request_id) { last[team] = {group, request_id}; });
    w_.metrics.ledger_lag.applied(through);
    const int64_t now = metrics::mono_us();
    for (const auto& t : r.teams) {
      w_.metrics.balance_seen(t.team_id, t.balance, now);
      if (w_.leases) w_.leases->on_applied(t.team_id, t.balance, t.settled);
      const auto& who = last[t.team_id];
      if (!t.fired.empty()) w_.alerts->fired(who.first, who.second, t.balance, t.fired);
      if (t.exhausts_at) w_.alerts->projected(who.first, who.second, t.balance, *t.exhausts_at);
    }
  }

 private:
  Worker& w_;
  const GatewayShared& shared_;
};

LedgerLogOptions log_options(const GatewayShared& shared, size_t index) {
  const auto& c = shared.config->cost_tracking.ledger_log;
  const int64_t workers = int64_t(std::max<size_t>(1, shared.workers));
  LedgerLogOptions o;
  o.log_id = shared.gateway_id + "-w" + std::to_string(index);
  o.holder = shared.gateway_id;
  o.dir = shared.spool_dir + "/ledger/" + o.log_id;
  spool::parse_fsync_policy(c.fsync, o.spool.fsync);
  o.spool.fsync_interval = std::chrono::milliseconds(c.fsync_interval_ms);
  o.spool.segment_bytes = size_t(c.segment_mb) << 20;
  o.max_unapplied_records = std::max<int64_t>(1, c.max_unapplied_records / workers);
  o.max_unapplied_bytes = std::max<int64_t>(1 << 20, (c.max_unapplied_mb << 20) / workers);
  o.backlog_wait = std::chrono::milliseconds(c.backlog_wait_ms);
  return o;
}

}  // namespace

Worker::Worker(boost::asio::io_context& ctx, size_t idx, const GatewayShared& shared)
    : ioc(ctx), index(idx), metrics(*shared.config), pool(ctx) {
  std::optional<ApiLink> api;
  if (shared.api_url) {
    api_access = std::make_shared<ApiAccess>();
    api = ApiLink{*shared.api_url, shared.api_token, &pool, api_access};
    log = std::make_unique<LedgerLog>(ioc, log_options(shared, idx));
    log_source = std::make_unique<WorkerLogSource>(*this, shared);
    shipper = std::make_unique<LogShipper>(ioc, *api, *log_source);
    log->on_written([this] {
      metrics.ledger_lag.written(log->segments().written_seq(), metrics::mono_us());
      shipper->wake();
    });
    log->set_lag_probe([this] { return metrics.ledger_lag.age_us(metrics::mono_us()); });
  }
  events = std::make_unique<EventSink>(log.get());
  std::string hook_path = shared.alert_webhook ? (shared.alert_webhook->base_path.empty() ? "/" : shared.alert_webhook->base_path) : "";
  alerts = std::make_unique<AlertNotifier>(ioc, pool, *events, shared.alert_webhook, hook_path);
  if (shared.cost_tracking()) {
    ledger_client = std::make_unique<LedgerClient>(ioc, *api, [this](const ledger::LedgerOp& op, const ledger::OpResult& r) {
      if (leases) leases->on_renewed(op, r);
    });
    const auto& lc = shared.config->cost_tracking.leases;
    if (shared.enforce() && lc.enabled) {
      BudgetLeases::Options o{lc.ttl_seconds, lc.max_amount, lc.idle_return_seconds, shared.block_at_percent,
                              shared.gateway_id + "-w" + std::to_string(idx), log->options().log_id};
      leases = std::make_unique<BudgetLeases>(ioc, *ledger_client, *log, o);
    }
  }
  prices = std::make_unique<PriceBook>(ioc, api);
  // Whatever the config's groups have: a key made through the API may have limits of its own.
  if (api)
    rate_limits = std::make_unique<RateLimiter>(ioc, *api, shared.gateway_id + "-w" + std::to_string(idx),
                                                [keys = shared.api_keys](std::string_view scope) { return keys && keys->scope_gone(scope); });
  response_cache = make_cache_store(ioc, shared.config->cache);
}

Worker::~Worker() = default;

void Worker::start() {
  if (shipper) shipper->start();
  if (leases) leases->start();
  if (rate_limits) rate_limits->start();
}

void Worker::shut_down(std::chrono::milliseconds timeout) {
  if (!log) return;
  if (leases) leases->return_all();
  log->close();
  if (shipper->drain_blocking(timeout)) {
    log->segments().remove();
    return;
  }
  spdlog::warn("ledger log {} is not fully applied yet ({} record(s)); it stays in {} and is shipped at the next start "
               "(or by kt gateway drain)",
               log->options().log_id, log->unapplied_records(), log->options().dir);
}

}  // namespace kt::gateway
