#pragma once
// Refused consumer keys (401) are counted, not stored one event each: unauthenticated traffic
// must not fill the event store. Each worker counts its failures per source IP and, once a
// minute, pushes one aggregated decision event per source (reason auth_failed, count, window
// start and end, source_ip; never the presented key). A per-worker total is kept for /metrics.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kt::gateway {

// Every worker's failure count, summed when read. Shared by a gateway's workers.
class AuthFailureTally {
 public:
  struct alignas(64) Counter {  // one cache line per worker: increments never contend
    std::atomic<uint64_t> value{0};
  };
  // A counter for one more worker; it lives as long as the tally.
  Counter& add_worker();
  // All workers' failures so far. The lock is taken here and in add_worker, never per request.
  uint64_t total() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Counter>> counters_;
};

// One worker's failures of the current window, by source. Touched only on the worker's thread.
class AuthFailureLog {
 public:
  using Push = std::function<void(std::string event_json)>;
  static constexpr std::chrono::seconds kWindow{60};
  // Sources listed per window; failures from further sources are added up under "other".
  static constexpr size_t kMaxSources = 10'000;

  // `ioc` (may be null in tests) runs the once-a-minute flush.
  AuthFailureLog(boost::asio::io_context* ioc, AuthFailureTally::Counter& counter, Push push)
      : ioc_(ioc), counter_(counter), push_(std::move(push)) {}
  // Counts one failure from `source_ip` at `now_us`; the first one of a window opens it and
  // schedules its flush kWindow later.
  void record(std::string_view source_ip, int64_t now_us);
  // Pushes one event per source of the open window and closes it (also called at shutdown).
  void flush(int64_t now_us);
  bool window_open() const { return window_start_us_ != 0; }

 private:
  boost::asio::awaitable<void> flush_later(uint64_t generation);

  boost::asio::io_context* ioc_;
  AuthFailureTally::Counter& counter_;
  Push push_;
  int64_t window_start_us_ = 0;  // 0: no window open
  uint64_t generation_ = 0;      // which window a scheduled flush belongs to
  std::unordered_map<std::string, uint64_t> by_source_;
};

}  // namespace kt::gateway
