// The rules of `kt ledger verify`, shared by every store: each store reads the figures with
// its own SQL (WalletAudit, HeldReservation) and these functions judge them.
#include <string>

#include "ledger/store.hpp"

namespace kt::ledger {
namespace {

std::string usd(Money m) { return "$" + m.to_decimal(); }

void add(VerifyReport& report, VerifyIssue::Severity severity, const std::string& team, int64_t period_start,
         std::string message) {
  report.issues.push_back({severity, team, month_period_of(period_start).label, std::move(message)});
}

}  // namespace

int64_t VerifyReport::violations() const {
  int64_t n = 0;
  for (const auto& i : issues) n += i.severity == VerifyIssue::Severity::violation;
  return n;
}

int64_t VerifyReport::warnings() const { return int64_t(issues.size()) - violations(); }

void audit_wallet(const WalletAudit& w, VerifyReport& report) {
  using S = VerifyIssue::Severity;
  if (w.spent != w.journal_spent)
    add(report, S::violation, w.team_id, w.period_start,
        "spent " + usd(w.spent) + " but the journal's settle and charge entries sum to " + usd(w.journal_spent));
  if (w.reserved != w.held_reservations)
    add(report, S::violation, w.team_id, w.period_start,
        "reserved " + usd(w.reserved) + " but the held reservations sum to " + usd(w.held_reservations));
  if (w.held_reservations != w.journal_open_reserves)
    add(report, S::violation, w.team_id, w.period_start,
        "held reservations sum to " + usd(w.held_reservations) +
            " but the journal's open reserve entries sum to " + usd(w.journal_open_reserves));
  if (w.spent.is_negative())
    add(report, S::violation, w.team_id, w.period_start, "spent is negative: " + usd(w.spent));

  Money remaining = w.budget - w.spent - w.reserved;
  if (!remaining.is_negative()) return;
  // A reserve never takes more than what remains, so a deficit can only come from a settle
  // above its estimate, a charge without reservation (both already paid to the provider) or
  // an allocation that lowered the budget below what was already spent.
  Money lowered = w.max_allocated > w.budget ? w.max_allocated - w.budget : Money::zero();
  Money deficit = Money::zero() - remaining;
  if (deficit <= w.overrun + lowered) {
    add(report, S::warning, w.team_id, w.period_start,
        "remaining is negative (" + usd(remaining) + "), explained by settles over their estimate or charges (" +
            usd(w.overrun) + ") and budget reductions (" + usd(lowered) + ")");
  } else {
    add(report, S::violation, w.team_id, w.period_start,
        "remaining is negative (" + usd(remaining) + ") beyond settles over estimate (" + usd(w.overrun) +
            ") and budget reductions (" + usd(lowered) + ")");
  }
}

void audit_held(const HeldReservation& r, const VerifyOptions& options, VerifyReport& report) {
  int64_t age = options.now - r.created_at;
  if (age <= options.reservation_ttl_seconds) return;
  add(report, VerifyIssue::Severity::violation, r.team_id, r.period_start,
      "reservation " + r.key + " of " + usd(r.amount) + " held for " + std::to_string(age) + " s (TTL " +
          std::to_string(options.reservation_ttl_seconds) + " s)");
}

}  // namespace kt::ledger
