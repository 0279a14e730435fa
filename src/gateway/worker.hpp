#pragma once
// Per-thread gateway state: each io_context has its own upstream pool, ledger log and shipper,
// ledger client, budget leases and price book, so requests on different threads share no lock.
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "gateway/events/alert_notifier.hpp"
#include "gateway/budget/budget_leases.hpp"
#include "gateway/cache/cache_store.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/budget/ledger_client.hpp"
#include "gateway/ledger_log/event_sink.hpp"
#include "gateway/ledger_log/ledger_log.hpp"
#include "gateway/ledger_log/log_shipper.hpp"
#include "gateway/metrics/worker_metrics.hpp"
#include "gateway/budget/price_book.hpp"
#include "gateway/rate_limits/rate_limiter.hpp"
#include "http/client.hpp"
#include "tokenizer/count_cache.hpp"

namespace kt::gateway {

struct Worker {
  Worker(boost::asio::io_context& ioc, size_t index, const GatewayShared& shared);
  ~Worker();
  // Starts the background loops (shipping, price refresh, lease renewals).
  void start();
  // After the io_context stopped: leases returned, open requests settled at what they held, the
  // log closed and shipped (blocking, up to `timeout`); a log not fully applied stays in the
  // spool for the next start.
  void shut_down(std::chrono::milliseconds timeout);

  boost::asio::io_context& ioc;
  size_t index;
  metrics::WorkerMetrics metrics;  // this thread's counters (metrics/worker_metrics.hpp)
  http::ClientPool pool;
  std::unique_ptr<LedgerLog> log;        // null without an API: nothing to ship to
  std::unique_ptr<ShipSource> log_source;
  std::unique_ptr<LogShipper> shipper;
  std::unique_ptr<EventSink> events;
  std::unique_ptr<AlertNotifier> alerts;
  std::unique_ptr<LedgerClient> ledger_client;  // null when cost tracking is off
  std::unique_ptr<BudgetLeases> leases;         // null unless wallets are enforced with leases on
  std::unique_ptr<PriceBook> prices;
  std::unique_ptr<RateLimiter> rate_limits;  // null unless a consumer group has rate limits
  std::shared_ptr<ApiAccess> api_access;  // null without an API; its ledger calls' verdict on the token
  std::unique_ptr<CacheStore> response_cache;  // null unless cache.enabled (cache/cache_store.hpp)
  tokenizer::CountCache token_counts;  // prompt contents seen recently on this worker
  // Asks this process's other workers to hand back their idle budget leases of a team (posted to
  // their threads). Set by gateway_main; empty with one worker.
  std::function<void(const std::string& team)> return_sibling_leases;
  // Every worker of this process (null until started), for /metrics to gather (metrics_scrape.hpp).
  std::shared_ptr<const std::vector<std::atomic<Worker*>>> peers;
};

}  // namespace kt::gateway
