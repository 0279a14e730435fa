#pragma once
// A worker's budget leases: slices of team wallets leased from the API, against which requests
// are held, settled and released in-process — no API round trip per request. Settles and lease
// returns travel in the worker's ledger log (ledger_log/), returns behind the settles before
// them; grants are recorded there too, so a killed gateway's leases can be returned by recovery.
//
// A team sending fewer than kLeaseMinRate requests a second through this worker, with no lease
// in hand, is told to reserve at the API per request (exact, one round trip: a one-request lease
// is a reservation). Above that rate the worker leases; the size follows the team's burn over a
// refill window, capped by the config and by the API (at most a quarter of what remains, and
// exactly one request's estimate near exhaustion), so the leases of every worker of every
// gateway never add up to more than the wallet's remaining budget.
//
// Single-threaded: a worker's io_context owns it; no locks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/budget/lease_pool.hpp"
#include "gateway/budget/ledger_client.hpp"
#include "gateway/ledger_log/ledger_log.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

class BudgetLeases {
 public:
  struct Options {
    int64_t ttl_seconds = 60;
    Money max_amount;
    int64_t idle_return_seconds = 30;
    int block_at_percent = 0;
    std::string holder;  // gateway id + worker
    std::string log_id;  // the worker's ledger log (the API returns its leases when it closes)
  };
  static constexpr int kLeaseMinRate = 8;  // requests per second (see above)

  using Hold = LeasePool::Hold;
  enum class Outcome { held, refused, unavailable, use_reservation };
  struct HoldResult {
    Outcome outcome = Outcome::unavailable;
    Hold hold;
    ledger::OpResult refusal;  // outcome refused: the API's answer (status and balance)
  };

  BudgetLeases(boost::asio::io_context& ioc, LedgerClient& ledger, LedgerLog& log, Options options);
  ~BudgetLeases();
  // Renews active leases and returns idle ones, every few seconds.
  void start();

  boost::asio::awaitable<HoldResult> hold(const std::string& team, Money amount);
  // The team's wallet as this worker last heard of it, plus what it settled since (nullopt: it
  // has not heard yet). What a shadowed block alert is judged on.
  std::optional<ledger::Balance> known_balance(const std::string& team) const;
  // The answer came back: the hold becomes the actual cost in-process (the settle record that
  // names the lease is the caller's, in the ledger log).
  void consume(const Hold& h, const std::string& team, Money actual);
  // No answer: the hold is dropped, in-process only.
  void release(const Hold& h);
  // Returns this worker's leases of `team` that hold no request (their room goes back to the wallet).
  void return_idle(const std::string& team);
  // Another worker was refused for room this worker's leases of `team` hold: idle ones go back
  // now, busy ones when their last request ends.
  void return_for_sibling(const std::string& team);
  // Room not yet held in this worker's usable leases for the team (for on_insufficient: clamp).
  Money free_for(const std::string& team) const;
  // What the team may still spend as this worker knows it: the wallet's remaining in the API's
  // last answer (other gateways' leases and all holds counted as spent) plus this worker's unheld
  // lease room. nullopt before any answer for the team.
  std::optional<Money> known_remaining(const std::string& team) const;
  // The API applied a batch of the ledger log: the team's balance after it, and what it settled.
  void on_applied(const std::string& team, const ledger::Balance& balance, Money settled);
  // The API's answer to a renewal.
  void on_renewed(const ledger::LedgerOp& op, const ledger::OpResult& r);
  // Shutdown: a return record for every lease, in the log behind the settles.
  void return_all();


 private:
  using Clock = std::chrono::steady_clock;
  struct Team {
    // Requests counted per one-second bucket, and the estimate they held: the burn rate.
    int64_t bucket_second = 0, bucket_requests = 0, last_requests = 0;
    Money bucket_amount, last_amount;
    std::shared_ptr<boost::asio::steady_timer> acquiring;  // an acquire in flight: others wait
    // The API's refusal of the last acquire and the request size it was for: requests that waited
    // on that acquire and are at least as large get the same answer instead of asking again.
    std::optional<ledger::OpResult> last_refusal;
    Money last_refused_min;
    std::optional<ledger::Balance> last_balance;
    Money settled_unacknowledged;  // settled here, not yet in last_balance
    int64_t refill_refused_second = -1;  // no speculative refill again within that second
  };

  // Leases a slice for `team` (at least `amount`); `granted` is the new lease, if any. A
  // speculative acquire (a refill while this worker still holds room) does not record its
  // refusal for waiting requests: the room it lacked may be this worker's own lease, which the
  // next request can use or return.
  enum class Acquire { on_demand, speculative };
  boost::asio::awaitable<std::optional<ledger::OpResult>> acquire(const std::string& team, Money amount,
                                                                  LeasePool::Lease*& granted, Acquire kind);
  void maybe_refill(const std::string& team, Team& t, Money amount, int64_t now);
  boost::asio::awaitable<void> refill(std::string team, Money amount);
  void count_request(Team& t, Money amount);
  Money want(const Team& t, Money amount) const;
  void return_lease(const std::string& id);
  void return_if_wanted(const std::string& lease_id);
  void tick();

  boost::asio::io_context& ioc_;
  LedgerClient& ledger_;
  LedgerLog& log_;
  Options options_;
  LeasePool pool_;
  std::unordered_map<std::string, Team> teams_;
  boost::asio::steady_timer timer_;
  uint64_t next_lease_ = 0;
};

}  // namespace kt::gateway
