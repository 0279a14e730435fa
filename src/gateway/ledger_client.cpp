#include "gateway/ledger_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/wire/ledger_wire.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr size_t kMaxBatch = 512;
constexpr auto kCallTimeout = 5000ms;
}  // namespace

LedgerClient::LedgerClient(asio::io_context& ioc, ApiLink api, ResultSink on_result)
    : ioc_(ioc), api_(std::move(api)), on_result_(std::move(on_result)) {}

awaitable<std::optional<ledger::OpResult>> LedgerClient::wait_for(ledger::LedgerOp op) {
  auto waiter = std::make_shared<Waiter>(ioc_);
  waiter->timer.expires_at(asio::steady_timer::time_point::max());
  enqueue({std::move(op), waiter});
  boost::system::error_code ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return std::move(waiter->result);
}

awaitable<std::optional<ledger::OpResult>> LedgerClient::reserve(ledger::ReserveOp op) {
  ledger::LedgerOp lop{};
  lop.kind = ledger::LedgerOp::Kind::reserve;
  lop.reserve = std::move(op);
  return wait_for(std::move(lop));
}

awaitable<std::optional<ledger::OpResult>> LedgerClient::acquire_lease(ledger::LeaseAcquireOp op) {
  ledger::LedgerOp lop{};
  lop.kind = ledger::LedgerOp::Kind::lease_acquire;
  lop.lease_acquire = std::move(op);
  return wait_for(std::move(lop));
}

void LedgerClient::renew_lease(ledger::LeaseRenewOp op) {
  ledger::LedgerOp lop{};
  lop.kind = ledger::LedgerOp::Kind::lease_renew;
  lop.lease_renew = std::move(op);
  enqueue({std::move(lop), nullptr});
}

void LedgerClient::return_lease(ledger::LeaseReturnOp op) {
  ledger::LedgerOp lop{};
  lop.kind = ledger::LedgerOp::Kind::lease_return;
  lop.lease_return = std::move(op);
  enqueue({std::move(lop), nullptr});
}

void LedgerClient::settle(ledger::SettleOp op) {
  ledger::LedgerOp lop{};
  lop.kind = ledger::LedgerOp::Kind::settle;
  lop.settle = std::move(op);
  enqueue({std::move(lop), nullptr});
}

void LedgerClient::release(ledger::ReleaseOp op) {
  ledger::LedgerOp lop{};
  lop.kind = ledger::LedgerOp::Kind::release;
  lop.release = std::move(op);
  enqueue({std::move(lop), nullptr});
}

namespace {
// A settle on a lease moves money from the wallet's leased to its spent figure, and a renewal moves
// none: neither changes what a new lease can be granted, so an acquire need not wait behind them.
// (Returns, releases and plain settles do change it, and keep their place ahead of it.)
bool acquire_may_pass(const ledger::LedgerOp& op) {
  using Kind = ledger::LedgerOp::Kind;
  return (op.kind == Kind::settle && !op.settle.lease_id.empty()) || op.kind == Kind::lease_renew;
}
}  // namespace

void LedgerClient::enqueue(Pending p) {
  if (p.op.kind == ledger::LedgerOp::Kind::lease_acquire) {
    // A busy worker's settles can queue up behind a slow API; its next lease must not, or every
    // request of the team waits for the whole backlog.
    auto at = queue_.end();
    while (at != queue_.begin() && acquire_may_pass(std::prev(at)->op)) --at;
    queue_.insert(at, std::move(p));
  } else {
    queue_.push_back(std::move(p));
  }
  if (!flushing_) {
    flushing_ = true;
    asio::co_spawn(ioc_, flush_loop(), asio::detached);
  }
}

awaitable<void> LedgerClient::flush_loop() {
  auto backoff = 100ms;
  while (!queue_.empty()) {
    std::vector<Pending> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      // Someone waits on an op of this batch: do not make them wait for a long tail of settles.
      if (!batch.empty() && batch.back().waiter && !queue_.front().waiter) break;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    std::vector<ledger::LedgerOp> ops;
    ops.reserve(batch.size());
    for (const auto& p : batch) ops.push_back(p.op);
    std::optional<std::vector<ledger::OpResult>> results;
    try {
      auto resp = co_await api_.pool->request(api_.url, api_.make("POST", "/v1/gateway/ledger", wire::encode_ops(ops)),
                                              kCallTimeout);
      if (resp.status == 200) results = wire::decode_results(resp.body);
      else spdlog::warn("ledger batch refused by the API: HTTP {}", resp.status);
    } catch (const std::exception& e) {
      spdlog::warn("ledger batch failed: {}", e.what());
    }
    if (results && results->size() == batch.size()) {
      backoff = 100ms;
      for (size_t i = 0; i < batch.size(); ++i) {
        auto& p = batch[i];
        auto& r = (*results)[i];
        if (p.waiter) {
          p.waiter->result = std::move(r);
          p.waiter->timer.cancel();
        } else if (on_result_) {
          on_result_(p.op, r);
        }
      }
      continue;
    }
    // Reserves fail now (the request fails closed); settles and releases are retried later
    // in their original order, ahead of anything queued since.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      if (it->waiter) it->waiter->timer.cancel();
      else queue_.push_front(std::move(*it));
    }
    asio::steady_timer t(ioc_);
    t.expires_after(backoff);
    co_await t.async_wait(asio::use_awaitable);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  flushing_ = false;
}

void LedgerClient::drain_blocking() {
  std::vector<ledger::LedgerOp> ops;
  for (auto& p : queue_)
    if (!p.waiter) ops.push_back(p.op);
  queue_.clear();
  if (ops.empty()) return;
  try {
    auto resp = http::blocking_request(api_.url, api_.make("POST", "/v1/gateway/ledger", wire::encode_ops(ops)), kCallTimeout);
    if (resp.status == 200) return;
    spdlog::error("{} ledger ops not delivered at shutdown: HTTP {}", ops.size(), resp.status);
  } catch (const std::exception& e) {
    spdlog::error("{} ledger ops not delivered at shutdown: {}", ops.size(), e.what());
  }
}

}  // namespace kt::gateway
