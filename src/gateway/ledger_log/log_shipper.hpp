#pragma once
// Ships one ledger log to the API (POST /v1/gateway/log, wire/log_wire.hpp), in order, in batches
// of at most ~1 MiB of frames read from the segments (never the whole log in memory).
//
// It sends as soon as frames reach the kernel; while a batch is in flight the next ones gather, so
// batches grow with the load. A small batch (< 64 records) waits a gap after the previous one left:
// without it a lone client paid one API round trip and one store commit per request on the same
// cores (c=1: ~400 µs of CPU per request against ~110 µs at load). The gap is 1 ms per record the
// previous batch read, from 5 ms to 25 ms: a request now and then is applied at once, a lone
// client's steady stream waits 25 ms (5 ms fixed: ~225-245 µs per request; 25 ms: ~195-205 µs,
// interleaved A/B in BENCHMARKS.md). A bigger backlog leaves
// at once (a gap there idles the API's apply while the gateway runs ahead), and the first batch
// after a quiet spell too, so a single request is still applied within a round trip. Intents and lease records stay home (the API has nothing to do
// with them) but count in the batch's `through`. A failed batch is read again from the log and
// re-sent after a back-off (100 ms doubling to 5 s): the API skips what it already applied, so
// nothing is applied twice. When idle it reports in every second (what is still unapplied, so
// balances and `kt ledger verify` can say so).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "wire/log_wire.hpp"
#include "gateway/api_link.hpp"
#include "spool/segment_log.hpp"

namespace kt::gateway {

// What a shipper needs from the log's owner.
class ShipSource {
 public:
  virtual ~ShipSource() = default;
  virtual spool::SegmentLog& log() = 0;
  // The batch header's report: what remains unapplied once records up to `through` are.
  virtual void fill_header(wire::BatchHeader& h, uint64_t through) = 0;
  // The API applied records up to `through` (its answer in `r`).
  virtual void applied(const ledger::LogApplyResult& r, uint64_t through) = 0;
};

class LogShipper {
 public:
  LogShipper(boost::asio::io_context& ioc, ApiLink api, ShipSource& source);
  void start();  // spawns the shipping loop on the io_context
  void wake();   // new frames are in the kernel
  void stop();
  // With no io_context running (shutdown, `kt gateway drain`): ships with blocking calls until
  // every written frame is applied or `timeout` passes. True when all was applied.
  bool drain_blocking(std::chrono::milliseconds timeout);
  // Everything written so far is applied.
  bool caught_up() const;
  uint64_t applied_seq() const { return applied_seq_; }
  std::chrono::steady_clock::time_point last_applied_at() const { return last_applied_at_; }
  // Batches (and reports) the API did not take, for /metrics.
  uint64_t failures() const { return failures_; }

 private:
  // The next batch's body (header + frames after the cursor) and the seq it runs through; false
  // when there is nothing new. `cursor_` moves past what was read; on failure it is restored.
  bool build_batch(std::string& body, uint64_t& through);
  // build_batch, and the next small batch's gap from this one's size.
  bool next_batch(std::string& body, uint64_t& through);
  std::string heartbeat_body();
  void took(const ledger::LogApplyResult& r, uint64_t through);
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<std::optional<ledger::LogApplyResult>> post(std::string body);

  boost::asio::io_context& ioc_;
  ApiLink api_;
  ShipSource& source_;
  spool::SegmentLog::Cursor cursor_;
  uint64_t applied_seq_ = 0;
  bool contacted_ = false;  // the API has told us this log's high-water mark
  bool stopped_ = false;
  boost::asio::steady_timer wake_;
  std::chrono::steady_clock::time_point last_contact_{}, last_applied_at_{}, last_sent_{};
  std::chrono::milliseconds batch_gap_{5};  // the small batches' gap, from the previous batch's size
  std::string frames_;  // the batch's frames as read (reused)
  uint64_t failures_ = 0;
};

}  // namespace kt::gateway
