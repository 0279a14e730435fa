#pragma once
// Recovery of ledger logs that gateways left behind (killed, crashed, or stopped while the API
// was unreachable). A log whose lock is free is adopted: its torn tail (if any) is cut, and unless
// it was closed, every request whose intent has no settle or release is settled at what it held
// (its answer was never recorded: billed at its reservation, never at $0, never twice — the API
// applies each record once), every lease it still held is returned, and a close record ends it.
// Then it is shipped until the API has applied all of it, and deleted.
//
// A gateway adopts its spool folder's dead logs at start; `kt gateway drain --spool-dir D` does
// the same from anywhere and exits when they are applied.
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/ledger_log/log_shipper.hpp"
#include "spool/segment_log.hpp"

namespace kt::gateway {

struct RecoveredLog : ShipSource {
  std::string log_id;
  std::unique_ptr<spool::SegmentLog> segments;
  std::vector<int> thresholds;
  int64_t settled_at_reservation = 0, leases_returned = 0;
  Money billed_at_reservation;
  bool was_closed = false;

  spool::SegmentLog& log() override { return *segments; }
  void fill_header(wire::BatchHeader& h, uint64_t through) override;
  void applied(const ledger::LogApplyResult&, uint64_t) override {}
};

// Adopts every log under `ledger_dir` (<spool>/ledger) that no live process holds.
std::vector<std::unique_ptr<RecoveredLog>> adopt_dead_logs(const std::string& ledger_dir, const spool::LogOptions& options,
                                                           const std::vector<int>& thresholds);

// Ships adopted logs in the background on one io_context and deletes each once the API has
// applied all of it. What is not applied when the gateway stops is adopted again next time.
class RecoveryShipping {
 public:
  RecoveryShipping(boost::asio::io_context& ioc, ApiLink api, std::vector<std::unique_ptr<RecoveredLog>> logs);
  void start();

 private:
  void check();
  boost::asio::io_context& ioc_;
  std::vector<std::unique_ptr<RecoveredLog>> logs_;
  std::vector<std::unique_ptr<LogShipper>> shippers_;
  std::vector<bool> done_;
  boost::asio::steady_timer timer_;
};

// Event spools of kt before the ledger log (events-<pid>-w<N>.ndjson in the spool folder) whose
// process is gone: each line is handed to `push` (read one line at a time), then the file goes.
void adopt_legacy_event_spools(const std::string& spool_dir, const std::function<void(std::string)>& push);

}  // namespace kt::gateway
