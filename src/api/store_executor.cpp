#include "api/store_executor.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>

#include <spdlog/spdlog.h>

#include "core/period.hpp"

// AddressSanitizer must be told of every switch between a coroutine's stack and the thread's,
// or it reports false stack-use-after-return and keeps stale poison after an exception unwinds a
// coroutine. Only Boost.Context's ucontext fibers do so (CMakeLists: the sanitizer build).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !(defined(BOOST_USE_UCONTEXT) && defined(BOOST_USE_ASAN))
#error "an AddressSanitizer build needs BOOST_USE_UCONTEXT and BOOST_USE_ASAN for asio::spawn's stacks"
#endif
#endif

namespace kt::api {
namespace asio = boost::asio;

namespace {
// Store code is shallow (a transaction, a statement, libpq); a quarter MiB leaves ample room.
constexpr size_t kCoroutineStack = 256 * 1024;
}  // namespace

// Suspends the calling stackful coroutine until the connection's socket is ready; the store
// thread meanwhile runs the other connections' queries.
class AsioSocketWaiter final : public ledger::SocketWaiter {
 public:
  AsioSocketWaiter(StoreExecutor& ex, asio::yield_context yield) : ex_(ex), yield_(std::move(yield)) {}

  void wait_readable(int fd) override { wait(fd, asio::posix::descriptor_base::wait_read); }
  void wait_writable(int fd) override { wait(fd, asio::posix::descriptor_base::wait_write); }
  void sleep_ms(int ms) override {
    asio::steady_timer t(ex_.ioc_, std::chrono::milliseconds(ms));
    std::function<void()> cancel = [&t] { t.cancel(); };
    boost::system::error_code ec;
    Registered reg(ex_, cancel);
    t.async_wait(yield_[ec]);
    if (ex_.stopping_) throw ledger::StoreError("the API is shutting down");
  }

 private:
  // Lists a wait so shutdown can cancel it; unlists it when the wait is over.
  struct Registered {
    Registered(StoreExecutor& ex, std::function<void()>& cancel) : ex(ex), cancel(&cancel) {
      if (ex.stopping_) throw ledger::StoreError("the API is shutting down");
      ex.cancel_waits_.push_back(this->cancel);
    }
    ~Registered() { std::erase(ex.cancel_waits_, cancel); }
    StoreExecutor& ex;
    std::function<void()>* cancel;
  };

  void wait(int fd, asio::posix::descriptor_base::wait_type what) {
    // The descriptor is libpq's: watched for this wait only, never closed here.
    asio::posix::stream_descriptor sd(ex_.ioc_, fd);
    std::function<void()> cancel = [&sd] { sd.cancel(); };
    boost::system::error_code ec;
    {
      Registered reg(ex_, cancel);
      sd.async_wait(what, yield_[ec]);
    }
    sd.release();
    if (ex_.stopping_) throw ledger::StoreError("the API is shutting down");
    if (ec) throw ledger::StoreError("waiting for the database socket: " + ec.message());
  }

  StoreExecutor& ex_;
  asio::yield_context yield_;
};

StoreExecutor::StoreExecutor(std::unique_ptr<ledger::Store> store)
    : StoreExecutor([&] {
        std::vector<std::unique_ptr<ledger::Store>> v;
        v.push_back(std::move(store));
        return v;
      }()) {}

StoreExecutor::StoreExecutor(std::vector<std::unique_ptr<ledger::Store>> stores)
    : stores_(std::move(stores)), guard_(asio::make_work_guard(ioc_)) {
  concurrent_ = stores_.front()->set_socket_waiter(nullptr);
  if (!concurrent_) stores_.resize(1);  // a file store serialises its writers anyway
  for (auto& s : stores_) free_.push_back(s.get());
  // The store thread starts at the API's own priority; set_nice() lowers it (kt api serve
  // --store-nice). Before the gateways paced themselves to the ledger, a lower priority let it fall
  // seconds behind a busy gateway on a shared core; with pacing, the sustained figures are equal.
  thread_ = std::thread([this] { ioc_.run(); });
}

void StoreExecutor::set_nice(int nice) {
  if (nice == 0) return;
  std::promise<int> done;
  auto result = done.get_future();
  // setpriority on a thread id sets that thread alone (Linux): the I/O threads keep theirs.
  asio::post(ioc_, [nice, &done] {
    done.set_value(::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), nice) == 0 ? 0 : errno);
  });
  if (int err = result.get()) spdlog::warn("cannot set the store thread's nice value to {}: {}", nice, std::strerror(err));
}

StoreExecutor::~StoreExecutor() {
  // Let every call in progress finish (its next database wait fails), never destroy a
  // suspended coroutine: its stack would be unwound through the store's catch blocks.
  asio::post(ioc_, [this] {
    stopping_ = true;
    periodic_ = false;
    for (auto* t : periodic_timers_) t->cancel();
    for (auto* cancel : cancel_waits_) (*cancel)();
  });
  guard_.reset();
  if (thread_.joinable()) thread_.join();
}

void StoreExecutor::submit(std::unique_ptr<Job> job) {
  asio::post(ioc_, [this, job = std::move(job)]() mutable {
    queued_.push_back(std::move(job));
    start_jobs();
  });
}

void StoreExecutor::start_jobs() {
  while (!free_.empty() && !queued_.empty()) {
    ledger::Store* s = free_.back();
    free_.pop_back();
    auto job = std::move(queued_.front());
    queued_.pop_front();
    if (!concurrent_) {
      job->run(*s);
      free_.push_back(s);
    } else {
      run_concurrently(s, std::move(job));
    }
  }
}

void StoreExecutor::run_concurrently(ledger::Store* s, std::unique_ptr<Job> job) {
  asio::spawn(
      ioc_, std::allocator_arg, boost::context::fixedsize_stack(kCoroutineStack),
      [this, s, job = std::move(job)](asio::yield_context yield) mutable {
        AsioSocketWaiter waiter(*this, yield);
        s->set_socket_waiter(&waiter);
        job->run(*s);  // catches its own exceptions
        s->set_socket_waiter(nullptr);
        free_.push_back(s);
        asio::post(ioc_, [this] { start_jobs(); });
      },
      asio::detached);
}

void StoreExecutor::start_sweeper(std::chrono::milliseconds every, ExpiryRules rules) {
  run_every(every, "lease and reservation expiry", [rules](ledger::Store& s) {
    auto r = s.expire(now_unix_seconds(), rules.reservation_ttl_seconds, rules.lease_grace_seconds);
    if (r.leases || r.reservations)
      spdlog::info("expired {} lease(s) and {} reservation(s): {} back to their wallets", r.leases, r.reservations,
                   r.returned.to_display());
  });
}

struct StoreExecutor::Periodic {
  Periodic(asio::io_context& ioc, std::chrono::milliseconds every, std::string what,
           std::function<void(ledger::Store&)> f)
      : timer(ioc), every(every), what(std::move(what)), f(std::move(f)) {}
  asio::steady_timer timer;
  std::chrono::milliseconds every;
  std::string what;
  std::function<void(ledger::Store&)> f;
};

void StoreExecutor::run_every(std::chrono::milliseconds every, std::string what,
                              std::function<void(ledger::Store&)> f) {
  auto p = std::make_shared<Periodic>(ioc_, every, std::move(what), std::move(f));
  asio::post(ioc_, [this, p] {
    if (!periodic_) return;
    periodic_timers_.push_back(&p->timer);
    run_periodic(p);
  });
}

// One run, then the timer for the next: runs never overlap, and a slow one delays the next.
void StoreExecutor::run_periodic(std::shared_ptr<Periodic> p) {
  if (!periodic_) return;
  submit(make_job([this, p](ledger::Store& s) {
    try {
      p->f(s);
    } catch (const std::exception& e) {
      if (!stopping_) spdlog::warn("{} failed (retrying): {}", p->what, e.what());
    } catch (...) {
      spdlog::warn("{} failed (retrying)", p->what);
    }
    if (!periodic_) return;
    p->timer.expires_after(p->every);
    // Whatever the wait's outcome: only shutdown ends the runs (it cancels every timer listed,
    // so none may be freed before).
    p->timer.async_wait([this, p](boost::system::error_code) { run_periodic(p); });
  }));
}

}  // namespace kt::api
