#pragma once
// Shared by the stores' verify(): the per-wallet figures read with SQL, judged by the same rules
// for every database (store_verify.cpp).
#include "ledger/store_types.hpp"

namespace kt::ledger {

struct WalletAudit {
  std::string team_id;
  int64_t period_start = 0;
  Money budget, spent, reserved;
  Money journal_spent;         // settle + charge entries
  Money held_reservations;     // reservations in state 'held'
  Money journal_open_reserves; // reserve entries without a settle or release entry
  Money overrun;               // settles above their estimate, plus direct charges
  Money max_allocated;         // the largest budget allocated in the period
  Money leased;                // the wallet's cached figure
  Money active_leases;         // what the active leases have not consumed
  std::string period_label;    // "2026-04", "2026-W15", "2026-04-12", "all"
};
// The label of the period starting at `period_start` for a wallet of that kind and zone.
std::string period_label_of(const std::string& kind, const std::string& timezone, int64_t period_start);
struct ActiveLease {
  std::string id, team_id;
  int64_t period_start = 0, expires_at = 0;
  Money unconsumed;
};
struct HeldReservation {
  std::string key, team_id;
  int64_t period_start = 0, created_at = 0;
  Money amount;
};
// Turns the figures into issues (same rules for every store).
void audit_wallet(const WalletAudit& w, VerifyReport& report);
void audit_held(const HeldReservation& r, const VerifyOptions& options, VerifyReport& report);
// A lease still active well past its expiry: nobody returned it (the API's expiry sweep runs
// every second while an API process is up).
void audit_lease(const ActiveLease& l, const VerifyOptions& options, VerifyReport& report);
// Gateway logs still open: each with something answered but not yet applied is a warning (the
// spend exists, the ledger does not have it yet); one its gateway has not reported for a while
// says to ship it with `kt gateway drain`. Records the store could not apply are a violation.
void audit_gateway_logs(std::vector<GatewayLogState> open, const VerifyOptions& options, VerifyReport& report);

}  // namespace kt::ledger
