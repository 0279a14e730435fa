#include "gateway/budget/ledger_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "wire/ledger_wire.hpp"

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

void LedgerClient::enqueue(Pending p) {
  if (queue_.size() >= kMaxQueued) {
    if (p.waiter) p.waiter->timer.cancel();  // no answer: the request fails closed
    return;
  }
  if (p.op.kind == ledger::LedgerOp::Kind::lease_acquire) {
    // A renewal moves no money: a lease grant need not wait behind them.
    auto at = queue_.end();
    while (at != queue_.begin() && std::prev(at)->op.kind == ledger::LedgerOp::Kind::lease_renew) --at;
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
    bool refused = false;
    try {
      auto resp = co_await api_.pool->request(api_.url, api_.make("POST", "/v1/gateway/ledger", wire::encode_ops(ops)),
                                              kCallTimeout);
      api_.note_status(resp.status);
      if (resp.status == 200) results = wire::decode_results(resp.body);
      else spdlog::warn("ledger batch refused by the API: HTTP {}", resp.status);
      refused = resp.status >= 400 && resp.status < 500;
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
    ++failures_;
    // Reserves and grants fail now (the request fails closed). Renewals are tried again after a
    // back-off, unless the API refused the batch itself (the next renewal tick sends them anew).
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      if (it->waiter) it->waiter->timer.cancel();
      else if (!refused) queue_.push_front(std::move(*it));
    }
    asio::steady_timer t(ioc_);
    t.expires_after(backoff);
    co_await t.async_wait(asio::use_awaitable);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  flushing_ = false;
}

}  // namespace kt::gateway
