#pragma once
// Runs store calls on one dedicated thread so no I/O thread ever waits on the database.
// SQLite has one writer anyway; the thread owns the Store object and serialises its use.
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <thread>
#include <type_traits>

#include "ledger/store.hpp"

namespace kt::api {

class StoreExecutor {
 public:
  explicit StoreExecutor(std::unique_ptr<ledger::Store> store)
      : store_(std::move(store)), guard_(boost::asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~StoreExecutor() {
    guard_.reset();
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

 private:
  std::unique_ptr<ledger::Store> store_;
  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

}  // namespace kt::api
