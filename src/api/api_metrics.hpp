#pragma once
// GET /metrics on the API (admin token): requests by route and status and the store calls'
// latency (prometheus-cpp's registry: thread-safe counters and histogram, written by its
// TextSerializer), then, read from the store at each scrape, every wallet's balance (exact
// decimals) and every open gateway log's backlog.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.hpp"
#include "ledger/store_types.hpp"

namespace prometheus {
class Counter;
template <class T>
class Family;
class Histogram;
class Registry;
}  // namespace prometheus

namespace kt::api {

class ApiMetrics {
 public:
  ApiMetrics();
  ~ApiMetrics();
  // `route`: a path of the API's route table, "/health", "/metrics" or "unmatched" (never a
  // client's path); `method`: GET, POST or other.
  void count_request(std::string_view method, std::string_view route, int status);
  // Any thread (the store thread calls it).
  void observe_store_call(std::chrono::nanoseconds d);
  // `logs`: Store::gateway_logs (closed ones are left out); `now`: unix seconds.
  std::string render(const std::vector<ledger::Balance>& balances, const std::vector<ledger::GatewayLogState>& logs,
                     int64_t now) const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Histogram* store_calls_;
};

// Passes a handler's answer on and remembers its status (0 until it answered).
class StatusRecorder final : public http::ResponseWriter {
 public:
  explicit StatusRecorder(http::ResponseWriter& inner) : inner_(inner) {}
  http::awaitable<void> send(int status, std::string_view content_type, std::string body,
                             const http::Headers& extra) override {
    status_ = status;
    return inner_.send(status, content_type, std::move(body), extra);
  }
  http::awaitable<void> start_stream(int status, std::string_view content_type, const http::Headers& extra) override {
    status_ = status;
    return inner_.start_stream(status, content_type, extra);
  }
  http::awaitable<void> flush() override { return inner_.flush(); }
  http::awaitable<bool> write_chunk(std::string_view data, bool last) override { return inner_.write_chunk(data, last); }
  http::awaitable<void> end_stream() override { return inner_.end_stream(); }
  bool responded() const override { return inner_.responded(); }
  int status() const { return status_; }

 private:
  http::ResponseWriter& inner_;
  int status_ = 0;
};

}  // namespace kt::api
