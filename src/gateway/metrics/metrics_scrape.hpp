#pragma once
// GET /metrics on the gateway: every worker's counters, copied out on that worker's own thread
// and added up here.
//
// Gathering: the scraping worker posts a snapshot job to each other worker's io_context
// (co_spawn onto it) and awaits them in turn. Chosen over relaxed atomics because the counters
// then stay plain integers (an update is a plain add: no lock prefix, no fence), and because the
// money path's health (ledger log, lease pool, ledger client) lives in single-threaded objects
// that may only be read on their own thread anyway. The cost is a scrape waiting for each
// worker's turn of its event loop (microseconds when idle, one queue's length under load).
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "gateway/metrics/worker_metrics.hpp"

namespace kt::gateway {
struct Worker;
struct GatewayShared;
}  // namespace kt::gateway

namespace kt::gateway::metrics {

// This worker's counters and health, taken on its own thread.
WorkerSnapshot take_snapshot(const Worker& w);

// All workers' snapshots (through `self.peers`), rendered in the Prometheus text format.
boost::asio::awaitable<std::string> scrape(Worker& self, const GatewayShared& shared);

// The text for a set of snapshots (`auth_failures`: the process's 401s so far).
std::string render(const TeamLabels& teams, const std::vector<WorkerSnapshot>& workers, uint64_t auth_failures);

}  // namespace kt::gateway::metrics
