#pragma once
// Batches a worker's ledger ops to the API. A reserve waits for its answer; settles and releases
// are queued and ride along with the next batch (in order), so the API sees one request and one
// transaction per batch, not per request. Ops are idempotent by key, so a batch re-sent after a
// timeout changes nothing twice.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gateway/api_link.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

using boost::asio::awaitable;

// Called with the API's answer to every queued op (settles, releases, lease renewals and
// returns): alerts that fired, lease states, the latest balance.
using ResultSink = std::function<void(const ledger::LedgerOp&, const ledger::OpResult&)>;

class LedgerClient {
 public:
  LedgerClient(boost::asio::io_context& ioc, ApiLink api, ResultSink on_result);
  // nullopt when the API cannot be reached (the caller decides: fail closed).
  awaitable<std::optional<ledger::OpResult>> reserve(ledger::ReserveOp op);
  awaitable<std::optional<ledger::OpResult>> acquire_lease(ledger::LeaseAcquireOp op);
  void settle(ledger::SettleOp op);
  void release(ledger::ReleaseOp op);
  void renew_lease(ledger::LeaseRenewOp op);
  void return_lease(ledger::LeaseReturnOp op);
  size_t pending() const { return queue_.size(); }
  // Shutdown: sends what is queued with blocking calls (the io_context has stopped).
  void drain_blocking();

 private:
  struct Waiter {
    explicit Waiter(boost::asio::io_context& ioc) : timer(ioc) {}
    boost::asio::steady_timer timer;
    std::optional<ledger::OpResult> result;
  };
  struct Pending {
    ledger::LedgerOp op;
    std::shared_ptr<Waiter> waiter;  // reserves only
  };
  void enqueue(Pending p);
  awaitable<std::optional<ledger::OpResult>> wait_for(ledger::LedgerOp op);
  awaitable<void> flush_loop();

  boost::asio::io_context& ioc_;
  ApiLink api_;
  ResultSink on_result_;
  std::deque<Pending> queue_;
  bool flushing_ = false;
};

}  // namespace kt::gateway
