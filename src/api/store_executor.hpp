#pragma once
// Runs store calls on one dedicated store thread, so no API I/O thread ever waits on the database.
//
// SQLite (one store): calls run one after another on that thread; SQLite has one writer anyway.
// PostgreSQL (a pool of stores, one connection each): every call runs in a stackful coroutine on
// the store thread's io_context and suspends at each wait for its socket (an Asio async_wait on
// the connection's descriptor), so one thread drives the pool's queries concurrently — no thread
// per query, and a transaction waiting on a row lock does not hold up the others.
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/period.hpp"
#include "ledger/store.hpp"

namespace kt::api {

class StoreExecutor {
 public:
  // `stores`: one or more stores on the same database (the first decides the mode: a store that
  // can wait through Asio gets the concurrent mode).
  explicit StoreExecutor(std::vector<std::unique_ptr<ledger::Store>> stores);
  explicit StoreExecutor(std::unique_ptr<ledger::Store> store);
  ~StoreExecutor();
  StoreExecutor(const StoreExecutor&) = delete;
  StoreExecutor& operator=(const StoreExecutor&) = delete;

  // The store thread's nice value (0: the API's own priority). Where the API shares a core with
  // gateways (one host, few cores), a higher value lets a lone client's request preempt a batch
  // apply at once instead of waiting for it; the gateways' pacing (ledger_log.hpp) still hands
  // the ledger the CPU it needs under load. A refusal by the kernel is logged, not fatal.
  void set_nice(int nice);

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
          const auto called = std::chrono::steady_clock::now();
          submit(make_job([this, called, fn = std::move(fn), handler = std::move(handler)](ledger::Store& s) mutable {
            std::exception_ptr error;
            R result{};
            try {
              result = fn(s);
            } catch (...) {
              error = std::current_exception();
            }
            if (on_call_done_) on_call_done_(std::chrono::steady_clock::now() - called);
            auto ex = boost::asio::get_associated_executor(handler);
            boost::asio::post(ex, [handler = std::move(handler), error, result = std::move(result)]() mutable {
              std::move(handler)(error, std::move(result));
            });
          }));
        },
        boost::asio::use_awaitable, std::move(f));
  }

  // Every `every`: returns expired leases and stale reservations to their wallets
  // (Store::expire), so a killed gateway's money comes back within its TTL.
  struct ExpiryRules {
    int64_t reservation_ttl_seconds = 900;
    int64_t lease_grace_seconds = 900;
  };
  void start_sweeper(std::chrono::milliseconds every, ExpiryRules rules);
  // Every `every` (the first time at once): f(store) on the store thread. An exception is
  // logged as "<what> failed (retrying)". Until the executor stops.
  void run_every(std::chrono::milliseconds every, std::string what, std::function<void(ledger::Store&)> f);

  // Called on the store thread with each call()'s time from the call to its answer (queueing
  // included). Set before the first call.
  void time_calls(std::function<void(std::chrono::nanoseconds)> f) { on_call_done_ = std::move(f); }

  // True when calls run concurrently over a pool of connections (PostgreSQL).
  bool concurrent() const { return concurrent_; }
  size_t pool_size() const { return stores_.size(); }

 private:
  // A call to run with a store; runs to completion (it catches its own exceptions).
  struct Job {
    virtual ~Job() = default;
    virtual void run(ledger::Store& s) = 0;
  };
  template <class Fn>
  static std::unique_ptr<Job> make_job(Fn fn) {
    struct Of final : Job {
      explicit Of(Fn f) : fn(std::move(f)) {}
      void run(ledger::Store& s) override { fn(s); }
      Fn fn;
    };
    return std::make_unique<Of>(std::move(fn));
  }

  void submit(std::unique_ptr<Job> job);  // any thread
  void start_jobs();                      // store thread: hands queued jobs to free stores
  void run_concurrently(ledger::Store* s, std::unique_ptr<Job> job);
  struct Periodic;
  void run_periodic(std::shared_ptr<Periodic> p);
  friend class AsioSocketWaiter;

  std::vector<std::unique_ptr<ledger::Store>> stores_;
  bool concurrent_ = false;
  // Store thread only.
  std::vector<ledger::Store*> free_;
  std::deque<std::unique_ptr<Job>> queued_;
  bool periodic_ = true;  // false once stopping: periodic jobs end
  bool stopping_ = false;  // shutdown: every database wait fails at once, so the jobs finish
  std::vector<std::function<void()>*> cancel_waits_;  // the waits in progress
  std::function<void(std::chrono::nanoseconds)> on_call_done_;

  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<boost::asio::steady_timer*> periodic_timers_;
  std::thread thread_;
};

}  // namespace kt::api
