#pragma once
#include <functional>
#include <string>
// Per-thread gateway state: each io_context has its own upstream pool, ledger batcher, event
// shipper and price book, so requests on different threads share no lock.
#include <boost/asio/io_context.hpp>
#include <memory>

#include "gateway/alert_notifier.hpp"
#include "gateway/budget_leases.hpp"
#include "gateway/event_shipper.hpp"
#include "gateway/gateway_shared.hpp"
#include "gateway/ledger_client.hpp"
#include "gateway/price_book.hpp"
#include "http/client.hpp"
#include "tokenizer/count_cache.hpp"

namespace kt::gateway {

struct Worker {
  Worker(boost::asio::io_context& ioc, size_t index, const GatewayShared& shared);
  boost::asio::io_context& ioc;
  size_t index;
  http::ClientPool pool;
  std::unique_ptr<EventShipper> events;
  std::unique_ptr<AlertNotifier> alerts;
  std::unique_ptr<LedgerClient> ledger_client;  // null when cost tracking is off
  std::unique_ptr<BudgetLeases> leases;         // null unless wallets are enforced with leases on
  std::unique_ptr<PriceBook> prices;
  tokenizer::CountCache token_counts;  // prompt contents seen recently on this worker
  // Asks this process's other workers to hand back their idle budget leases of a team (posted to
  // their threads). Set by gateway_main; empty with one worker.
  std::function<void(const std::string& team)> return_sibling_leases;
};

}  // namespace kt::gateway
