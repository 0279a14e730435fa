#pragma once
// Where a worker's events go that are not a request's own decision event (alerts, summaries of
// refused keys): into its ledger log, which ships them to the API. Without an API there is no
// log, and the events are not kept.
#include <string>

#include "gateway/ledger_log/ledger_log.hpp"

namespace kt::gateway {

class EventSink {
 public:
  explicit EventSink(LedgerLog* log) : log_(log) {}
  // One event: a JSON object with "id", "type", "timestamp" and, when it has them, "team_id" and
  // "consumer_group".
  void push(std::string json) {
    if (log_) log_->push_event(std::move(json));
  }

 private:
  LedgerLog* log_;
};

}  // namespace kt::gateway
