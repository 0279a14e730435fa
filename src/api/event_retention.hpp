#pragma once
// Event retention (docs/api.md "Spend rollups and retention"): decision and alert events older than
// the retention are deleted in bounded batches by a periodic job of the store executor, off the
// request path. Journal lines and spend rollups are kept: reports and `kt ledger verify` read
// them, never the events.
#include <cstdint>

#include "api/store_executor.hpp"

namespace kt::api {

// At most this many events per transaction, one transaction per run: a backlog of millions (a
// first start with a retention, or a shorter one) goes at this pace without a long write lock.
constexpr int64_t kRetentionBatch = 5000;

// days <= 0 keeps events forever (nothing is started).
void start_event_retention(StoreExecutor& executor, int64_t days);

// Events before this instant (unix microseconds) are past a retention of `days` at `now_seconds`.
int64_t retention_cutoff_micros(int64_t now_seconds, int64_t days);

}  // namespace kt::api
