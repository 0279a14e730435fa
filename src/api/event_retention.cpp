#include "api/event_retention.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/period.hpp"

namespace kt::api {

int64_t retention_cutoff_micros(int64_t now_seconds, int64_t days) { return (now_seconds - days * 86400) * 1000000; }

void start_event_retention(StoreExecutor& executor, int64_t days) {
  if (days <= 0) return;
  // Every second: a run with nothing to delete is one probe of the events' time index.
  executor.run_every(std::chrono::seconds(1), "event retention", [days](ledger::Store& s) {
    int64_t deleted = s.prune_events(retention_cutoff_micros(now_unix_seconds(), days), kRetentionBatch);
    if (deleted > 0) spdlog::debug("event retention: deleted {} event(s) older than {} day(s)", deleted, days);
  });
}

}  // namespace kt::api
