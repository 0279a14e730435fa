#pragma once
// A worker's calls to the API's ledger that need an answer now: a reservation (a team too quiet
// for a budget lease), a lease grant, and lease renewals. Ops queued while a call is in flight go
// together in the next one. Settles, releases and lease returns do not come here: they are owed,
// so they go to the durable ledger log (ledger_log/). Ops are idempotent by key, so a batch re-sent
// after a timeout changes nothing twice.
//
// Bounded: at most kMaxQueued ops wait (each is a request in flight or one renewal per lease);
// past it a reservation fails at once (the request gets 503). An answer the API refuses (a 4xx
// for the whole batch) fails that batch's reservations and drops its renewals (the next renewal
// tick sends them again): nothing waits behind it.
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

// Called with the API's answer to every op nobody waits for (lease renewals).
using ResultSink = std::function<void(const ledger::LedgerOp&, const ledger::OpResult&)>;

class LedgerClient {
 public:
  LedgerClient(boost::asio::io_context& ioc, ApiLink api, ResultSink on_result);
  // nullopt when the API cannot be reached (the caller decides: fail closed).
  awaitable<std::optional<ledger::OpResult>> reserve(ledger::ReserveOp op);
  awaitable<std::optional<ledger::OpResult>> acquire_lease(ledger::LeaseAcquireOp op);
  void renew_lease(ledger::LeaseRenewOp op);
  size_t pending() const { return queue_.size(); }
  // Batches that got no usable answer (unreachable, timeout, refused, unreadable): for /metrics.
  uint64_t failures() const { return failures_; }
  static constexpr size_t kMaxQueued = 20000;

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
  uint64_t failures_ = 0;
};

}  // namespace kt::gateway
