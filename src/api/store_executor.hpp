#pragma once
// Runs store calls on one dedicated thread so no I/O thread ever waits on the database.
// SQLite has one writer anyway; the thread owns the Store object and serialises its use.
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <memory>
#include <thread>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "core/period.hpp"

#include "ledger/store.hpp"

namespace kt::api {

class StoreExecutor {
 public:
  explicit StoreExecutor(std::unique_ptr<ledger::Store> store)
      : store_(std::move(store)), guard_(boost::asio::make_work_guard(ioc_)), thread_([this] {
          // Ledger writes are batched and rarely on a request's critical path (leases): on a host
          // shared with gateways, let the request-serving threads go first.
          ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kStoreThreadNice);
          ioc_.run();
        }) {}
  ~StoreExecutor() {
    guard_.reset();
    sweeping_ = false;
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }
  StoreExecutor(const StoreExecutor&) = delete;
  StoreExecutor& operator=(const StoreExecutor&) = delete;

  // co_await call([&](ledger::Store& s) { return s.list_pricing(); }): runs on the store thread,
  // resumes the caller on its own executor; exceptions propagate. F must return a
  // default-constructible, non-void value.
  // Capture by reference: the caller's locals live in its suspended coroutine frame until the
  // answer comes back, and GCC 12 destroys non-trivial temporaries of a co_await expression
  // twice (a capture-by-copy lambda crashed here), so the closure must be trivially destructible.
  template <class F>
    requires std::is_trivially_destructible_v<F>
  auto call(F f) -> boost::asio::awaitable<std::invoke_result_t<F, ledger::Store&>> {
    using R = std::invoke_result_t<F, ledger::Store&>;
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, R)>(
        [this](auto handler, F fn) {
          boost::asio::post(ioc_, [this, fn = std::move(fn), handler = std::move(handler)]() mutable {
            std::exception_ptr error;
            R result{};
            try {
              result = fn(*store_);
            } catch (...) {
              error = std::current_exception();
            }
            auto ex = boost::asio::get_associated_executor(handler);
            boost::asio::post(ex, [handler = std::move(handler), error, result = std::move(result)]() mutable {
              std::move(handler)(error, std::move(result));
            });
          });
        },
        boost::asio::use_awaitable, std::move(f));
  }

  // Every `every`, on the store thread: returns expired leases and stale reservations to their
  // wallets (Store::expire), so a killed gateway's money comes back within its TTL.
  void start_sweeper(std::chrono::milliseconds every, int64_t reservation_ttl_seconds) {
    boost::asio::post(ioc_, [this, every, reservation_ttl_seconds] {
      sweeping_ = true;
      sweep(every, reservation_ttl_seconds);
    });
  }

 private:
  static constexpr int kStoreThreadNice = 10;
  void sweep(std::chrono::milliseconds every, int64_t ttl) {
    if (!sweeping_) return;
    try {
      auto r = store_->expire(now_unix_seconds(), ttl);
      if (r.leases || r.reservations)
        spdlog::info("expired {} lease(s) and {} reservation(s): {} back to their wallets", r.leases, r.reservations,
                     r.returned.to_display());
    } catch (const std::exception& e) {
      spdlog::warn("lease and reservation expiry failed (retrying): {}", e.what());
    }
    sweep_timer_.expires_after(every);
    sweep_timer_.async_wait([this, every, ttl](boost::system::error_code ec) {
      if (!ec) sweep(every, ttl);
    });
  }

  std::unique_ptr<ledger::Store> store_;
  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  boost::asio::steady_timer sweep_timer_{ioc_};
  bool sweeping_ = false;  // touched on the store thread only (and at destruction)
  std::thread thread_;
};

}  // namespace kt::api
