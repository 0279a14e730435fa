#include "gateway/events/auth_failures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.hpp"
#include "core/json_writer.hpp"
#include "core/period.hpp"

namespace kt::gateway {
namespace asio = boost::asio;

AuthFailureTally::Counter& AuthFailureTally::add_worker() {
  std::lock_guard lock(mutex_);
  counters_.push_back(std::make_unique<Counter>());
  return *counters_.back();
}

uint64_t AuthFailureTally::total() const {
  std::lock_guard lock(mutex_);
  uint64_t sum = 0;
  for (const auto& c : counters_) sum += c->value.load(std::memory_order_relaxed);
  return sum;
}

void AuthFailureLog::record(std::string_view source_ip, int64_t now_us) {
  counter_.value.fetch_add(1, std::memory_order_relaxed);
  if (!window_open()) {
    window_start_us_ = now_us;
    ++generation_;
    if (ioc_) asio::co_spawn(*ioc_, flush_later(generation_), asio::detached);
  }
  std::string key(source_ip);  // an IPv4 address fits the small-string buffer: no allocation
  auto it = by_source_.find(key);
  if (it == by_source_.end()) {
    if (by_source_.size() >= kMaxSources) key = "other";
    it = by_source_.try_emplace(std::move(key), 0).first;
  }
  ++it->second;
}

void AuthFailureLog::flush(int64_t now_us) {
  if (!window_open()) return;
  const std::string start = format_rfc3339(window_start_us_), end = format_rfc3339(now_us);
  for (const auto& [source, count] : by_source_) {
    JsonWriter j(512);
    j.begin_object();
    j.field("id", new_id("evt_")).field("type", "decision").field("timestamp", end);
    j.key("request_id").null().key("route").null().key("consumer_group").null().key("team_id").null();
    j.field("decision", "block").field("verdict", "block").field("reason", "auth_failed").field("reason_code", "auth_failed");
    j.field("status", 401).field("count", count).field("source_ip", source);
    j.field("window_start", start).field("window_end", end);
    j.key("cost").null();
    j.end_object();
    push_(j.take());
  }
  by_source_.clear();
  window_start_us_ = 0;
}

asio::awaitable<void> AuthFailureLog::flush_later(uint64_t generation) {
  asio::steady_timer timer(co_await asio::this_coro::executor, kWindow);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  // A window closed early (shutdown) and reopened since has its own flush scheduled.
  if (generation == generation_) flush(now_unix_micros());
}

}  // namespace kt::gateway
