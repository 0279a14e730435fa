#pragma once
// A worker's durable ledger log: everything the gateway owes the ledger — a request's intent
// before it is forwarded, its settle (or release) and decision event once its answer's cost is
// known, every other event, lease grants and returns — goes to an append-only log in the spool
// folder (spool/segment_log.hpp) and reaches the kernel before the request is forgotten. A
// LogShipper sends the log to the API in order; the API applies each record once.
//
// Nothing owed lives only in memory: a killed gateway's log is adopted at the next start (or by
// `kt gateway drain`), its in-flight requests billed at their reservation (log_recovery.hpp).
//
// Bounded: what is written but not yet applied by the API is capped in records and bytes
// (per worker: the config's cap divided by the workers). Past the cap, admit() makes a new priced
// request wait up to `backlog_wait` for the ledger to catch up, then refuses it (503
// ledger_backlog); completions of requests already admitted are always written. Below the cap the
// gateway is paced: while the oldest unapplied record is older than `pace_lag`, a new priced request
// waits (at most `pace_wait`) for the ledger, so on cores shared with the API the gateway cannot
// run seconds ahead of the ledger's apply (the lag stays near pace_lag, not near the cap).
//
// Writes are grouped: appends of one turn of the worker's event loop leave in one write(), and a
// writer resumes after it (asio runs posted handlers in order, so the flush posted before the
// writer's own resumption has run when it resumes). Single-threaded: the worker's io_context.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/string_map.hpp"
#include "wire/log_wire.hpp"
#include "core/money.hpp"
#include "spool/segment_log.hpp"

namespace kt::gateway {

// A request's intent as the log holds it (recovery and shutdown settle it at what it held).
struct LoggedIntent {
  std::string key, team, lease, request_id, model, provider, group;
  Money held;
  int64_t prompt_tokens = 0, output_tokens = 0;
  bool reserved = false;
  wire::RecordRequest request() const { return {key, team, lease, request_id, model, provider, group, reserved}; }
};
// The settle record (and its decision event) of a request whose answer was never seen: billed at
// what it held, never at $0 and never twice (usage_source "reservation").
std::string settle_at_reservation(const LoggedIntent& i, std::string_view why);
// The intent a logged intent record (wire::intent_record) describes.
LoggedIntent logged_intent(const ledger::LogRecord& r);

struct LedgerLogOptions {
  std::string dir;     // <spool>/ledger/<log_id>
  std::string log_id;  // this worker's log: <gateway id>-w<N>
  std::string holder;  // the gateway process
  spool::LogOptions spool;
  int64_t max_unapplied_records = 25000;
  int64_t max_unapplied_bytes = 64 << 20;
  std::chrono::milliseconds backlog_wait{2000};
  std::chrono::milliseconds pace_lag{250}, pace_wait{50};
};

class LedgerLog {
 public:
  LedgerLog(boost::asio::io_context& ioc, LedgerLogOptions options);  // creates the log; throws when it cannot
  ~LedgerLog();

  // --- The request path -------------------------------------------------------------------
  // Whether a new priced request may start: waits up to backlog_wait while the ledger is behind
  // by more than the cap or the spool cannot be written.
  boost::asio::awaitable<bool> admit();
  // The age in microseconds of the oldest record written but not yet applied (the pacing's input).
  void set_lag_probe(std::function<int64_t()> probe) { lag_us_ = std::move(probe); }
  // Logged (in the kernel) before the request is forwarded; false: the spool cannot be written
  // (the caller gives the hold back and refuses).
  boost::asio::awaitable<bool> intent(const wire::RecordRequest& r, Money held, int64_t prompt_tokens,
                                      int64_t output_tokens);
  // The request's end, with its decision event: in the kernel when the awaitable returns.
  boost::asio::awaitable<void> settle(const wire::RecordRequest& r, Money actual, Money held, int64_t prompt_tokens,
                                      int64_t completion_tokens, const wire::RecordEvent& e);
  boost::asio::awaitable<void> release(const wire::RecordRequest& r, const wire::RecordEvent& e);
  // An event without money (a refused request's): dropped and counted while over the bound.
  boost::asio::awaitable<void> event(std::string_view team, std::string_view group, const wire::RecordEvent& e);
  // An event built elsewhere (alerts, auth-failure summaries): its id, type, timestamp, team and
  // group are read from it. Written with the next flush; dropped (and counted) past the cap.
  void push_event(std::string json);
  void lease_granted(std::string_view lease, std::string_view team, Money amount);
  void lease_returned(std::string_view lease, std::string_view team);

  // --- The shipper's side -------------------------------------------------------------------
  spool::SegmentLog& segments() { return *log_; }
  const LedgerLogOptions& options() const { return options_; }
  // What will remain unapplied once records up to `through` are: per team, for the batch header.
  std::vector<ledger::TeamPending> pending_after(uint64_t through) const;
  // Records waiting for the API (what it will apply: settles, releases, events, lease returns;
  // intents and lease grants stay home and do not count).
  int64_t unapplied_records() const { return unapplied_records_; }
  int64_t unapplied_bytes() const { return appended_bytes_ - applied_bytes_; }
  // The API has applied everything up to `seq`: forget it, delete applied segments, and tell
  // each team's last request (for alerts). `on_team` gets (team, settled amount, last group,
  // last request id) for each team whose records were applied.
  using AppliedTeam = std::function<void(const std::string& team, Money settled, const std::string& group,
                                         const std::string& request_id)>;
  void applied_through(uint64_t seq, const AppliedTeam& on_team);
  uint64_t applied_seq() const { return applied_seq_; }
  // Waits (polling) until the API has applied records up to `seq`, at most `timeout`.
  boost::asio::awaitable<bool> wait_applied(uint64_t seq, std::chrono::milliseconds timeout);
  // Wakes the shipper when frames reach the kernel.
  void on_written(std::function<void()> f) { on_written_ = std::move(f); }
  int64_t events_dropped() const { return events_dropped_; }

  // Shutdown: requests still open are settled at what they held (their answers were not seen),
  // then the close record. The caller returns leases first and ships afterwards.
  void close();

 private:
  struct Unapplied {  // one record not yet applied, oldest first
    uint64_t seq;
    uint32_t bytes;
    bool shipped;  // goes to the API (counts against the cap)
    Money amount;
    std::string team, group, request_id;
  };
  // `shipped`: false for the records that stay home (intents, lease grants).
  uint64_t append(std::string rest, Money amount = Money::zero(), std::string_view team = {},
                  std::string_view group = {}, std::string_view request_id = {}, bool shipped = true);
  void schedule_flush();
  void flush_now();
  boost::asio::awaitable<bool> written(uint64_t seq);
  bool over_cap() const;
  bool drops_events();
  void carry_forward();
  void forget_intent(std::string_view key);

  boost::asio::io_context& ioc_;
  LedgerLogOptions options_;
  std::unique_ptr<spool::SegmentLog> log_;
  std::deque<Unapplied> unapplied_;
  std::map<std::string, std::pair<Money, int64_t>> pending_;  // team -> amount, records not applied
  // Key -> the intent record as written (carried into each new segment; decoded only if the
  // gateway stops before the answer, so a request copies no fields of it).
  StringMap<std::string> open_intents_;
  std::map<std::string, std::string> open_leases_;            // lease -> team
  uint64_t applied_seq_ = 0;
  int64_t appended_bytes_ = 0, applied_bytes_ = 0, events_dropped_ = 0, unapplied_records_ = 0;
  bool flush_posted_ = false, closed_ = false;
  std::function<int64_t()> lag_us_;
  boost::asio::steady_timer retry_;  // a failed write is tried again even if nothing new comes
  std::chrono::steady_clock::time_point last_failure_log_{};
  std::function<void()> on_written_;
};

}  // namespace kt::gateway
