#pragma once
// The in-process half of budget leases: which leases a worker holds and how much of each is
// held by requests in flight or consumed by settled ones. Pure bookkeeping, no I/O and no
// locks (one per worker); BudgetLeases does the talking to the API around it.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money.hpp"

namespace kt::gateway {

class LeasePool {
 public:
  using Clock = std::chrono::steady_clock;
  struct Lease {
    std::string id, team;
    Money amount, consumed, held;
    int holds = 0;
    int64_t expires_at = 0, period_end = 0;  // unix seconds
    Clock::time_point last_used;
    bool dead = false;  // expired or returned at the API: settle what it holds, then forget it
    // Another worker of this process was refused for room this lease holds: it goes back as soon
    // as its last request ends (and takes no new holds meanwhile).
    bool return_when_idle = false;
    Money unheld() const { return amount - consumed - held; }
  };
  // What a request holds; `lease_id` empty means nothing is held (a free request).
  struct Hold {
    std::string lease_id;
    Money amount;
  };

  // A lease stops taking new holds `margin` seconds before its expiry (and at its period's end).
  explicit LeasePool(int64_t margin_seconds) : margin_(margin_seconds) {}

  Lease& add(Lease lease);
  // Holds `amount` on a usable lease of `team` with room; nullopt when none has room.
  std::optional<Hold> try_hold(const std::string& team, Money amount, int64_t now);
  // Holds on this lease (it must have room: a fresh grant for this request).
  Hold hold_on(Lease& l, Money amount);
  // The hold becomes `actual`: what the lease still covers is consumed from it (the store's rule).
  void settle(const Hold& h, Money actual);
  void release(const Hold& h);
  Money unheld_for(const std::string& team, int64_t now) const;
  bool usable(const Lease& l, int64_t now) const;

  Lease* find(const std::string& id);
  void erase(const std::string& id);
  std::vector<Lease*> leases_of(const std::string& team);
  std::vector<Lease*> all();
  size_t size() const { return leases_.size(); }

 private:
  int64_t margin_;
  std::unordered_map<std::string, std::unique_ptr<Lease>> leases_;  // by id
};

}  // namespace kt::gateway
