#include "gateway/worker.hpp"

#include <unistd.h>

namespace kt::gateway {

Worker::Worker(boost::asio::io_context& ctx, size_t idx, const GatewayShared& shared)
    : ioc(ctx), index(idx), pool(ctx) {
  std::optional<ApiLink> api;
  if (shared.api_url) api = ApiLink{*shared.api_url, shared.api_token, &pool};
  std::string spool = shared.spool_dir + "/events-" + std::to_string(::getpid()) + "-w" + std::to_string(idx) + ".ndjson";
  events = std::make_unique<EventShipper>(ioc, api, spool);
  std::string hook_path = shared.alert_webhook ? (shared.alert_webhook->base_path.empty() ? "/" : shared.alert_webhook->base_path) : "";
  alerts = std::make_unique<AlertNotifier>(ioc, pool, *events, shared.alert_webhook, hook_path);
  if (shared.cost_tracking()) {
    ledger_client = std::make_unique<LedgerClient>(ioc, *api, [this](const ledger::LedgerOp& op, const ledger::OpResult& r) {
      if (op.kind == ledger::LedgerOp::Kind::settle && !r.fired_thresholds.empty()) alerts->fired(op.settle, r);
      if (leases) leases->on_result(op, r);
    });
    const auto& lc = shared.config->cost_tracking.leases;
    if (shared.enforce() && lc.enabled) {
      BudgetLeases::Options o{lc.ttl_seconds, lc.max_amount, lc.idle_return_seconds, shared.block_at_percent,
                              shared.gateway_id + "-w" + std::to_string(idx)};
      leases = std::make_unique<BudgetLeases>(ioc, *ledger_client, o);
    }
  }
  prices = std::make_unique<PriceBook>(ioc, api);
}

}  // namespace kt::gateway
