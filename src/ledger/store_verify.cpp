// The rules of `kt ledger verify`, shared by every store: each store reads the figures with
// its own SQL (WalletAudit, HeldReservation) and these functions judge them.
#include <string>

#include "ledger/audit.hpp"

namespace kt::ledger {
namespace {

std::string usd(Money m) { return "$" + m.to_decimal(); }

void add(VerifyReport& report, VerifyIssue::Severity severity, const std::string& team, int64_t period_start,
         std::string message, const std::string& label = "") {
  report.issues.push_back(
      {severity, team, label.empty() ? month_period_of(period_start).label : label, std::move(message)});
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
  auto add_w = [&](S severity, std::string message) {
    add(report, severity, w.team_id, w.period_start, std::move(message), w.period_label);
  };
  if (w.spent != w.journal_spent)
    add_w(S::violation,
        "spent " + usd(w.spent) + " but the journal's settle and charge entries sum to " + usd(w.journal_spent));
  if (w.reserved != w.held_reservations)
    add_w(S::violation,
        "reserved " + usd(w.reserved) + " but the held reservations sum to " + usd(w.held_reservations));
  if (w.held_reservations != w.journal_open_reserves)
    add_w(S::violation,
        "held reservations sum to " + usd(w.held_reservations) +
            " but the journal's open reserve entries sum to " + usd(w.journal_open_reserves));
  if (w.leased != w.active_leases)
    add_w(S::violation,
        "leased " + usd(w.leased) + " but the active leases hold " + usd(w.active_leases) + " unconsumed");
  if (w.spent.is_negative())
    add_w(S::violation, "spent is negative: " + usd(w.spent));

  Money remaining = w.budget - w.spent - w.reserved - w.leased;
  if (!remaining.is_negative()) return;
  // A reserve never takes more than what remains, so a deficit can only come from a settle
  // above its estimate, a charge without reservation (both already paid to the provider) or
  // an allocation that lowered the budget below what was already spent.
  Money lowered = w.max_allocated > w.budget ? w.max_allocated - w.budget : Money::zero();
  Money deficit = Money::zero() - remaining;
  if (deficit <= w.overrun + lowered) {
    add_w(S::warning,
        "remaining is negative (" + usd(remaining) + "), explained by settles over their estimate or charges (" +
            usd(w.overrun) + ") and budget reductions (" + usd(lowered) + ")");
  } else {
    add_w(S::violation,
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

namespace kt::ledger {

std::string period_label_of(const std::string& kind, const std::string& timezone, int64_t period_start) {
  PeriodSpec spec;
  if (!parse_period_kind(kind, spec.kind)) return month_period_of(period_start).label;
  spec.timezone = timezone;
  try {
    return period_of(spec, period_start).label;
  } catch (const std::exception&) {
    return month_period_of(period_start).label;
  }
}

void audit_lease(const ActiveLease& l, const VerifyOptions& options, VerifyReport& report) {
  constexpr int64_t kSweepGraceSeconds = 5;
  int64_t late = options.now - l.expires_at;
  if (late <= kSweepGraceSeconds) return;
  add(report, VerifyIssue::Severity::violation, l.team_id, l.period_start,
      "lease " + l.id + " of " + usd(l.unconsumed) + " still active " + std::to_string(late) +
          " s after its expiry (is an API process running? it returns expired leases)");
}

}  // namespace kt::ledger

namespace kt::ledger {

void audit_gateway_logs(std::vector<GatewayLogState> open, const VerifyOptions& options, VerifyReport& report) {
  using S = VerifyIssue::Severity;
  // A gateway reports in every second while it runs; this long without news, it is likely gone.
  constexpr int64_t kSilentSeconds = 60;
  if (report.log_rejects > 0)
    report.issues.push_back({S::violation, "", "",
                             std::to_string(report.log_rejects) +
                                 " gateway log record(s) could not be applied (see the log_rejects table)"});
  for (const auto& l : open) {
    Money amount;
    int64_t records = 0;
    for (const auto& p : l.pending) amount += p.amount, records += p.records;
    int64_t silent = options.now - l.last_seen;
    if (l.unapplied_records == 0 && records == 0 && silent < kSilentSeconds) continue;
    std::string msg = "gateway log " + l.log_id + ": " + std::to_string(std::max(l.unapplied_records, records)) +
                      " record(s), " + usd(amount) + " of spend, answered but not yet applied (reported " +
                      std::to_string(silent) + " s ago)";
    if (silent >= kSilentSeconds)
      msg += "; its gateway has not reported since: if it is gone, ship its spool with kt gateway drain --spool-dir";
    for (const auto& p : l.pending)
      report.issues.push_back({S::warning, p.team_id, "", msg + " [" + p.team_id + ": " + usd(p.amount) + "]"});
    if (l.pending.empty()) report.issues.push_back({S::warning, "", "", msg});
  }
  report.open_logs = std::move(open);
}

}  // namespace kt::ledger
