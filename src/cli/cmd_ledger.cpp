// `kt ledger verify --database URL`: checks the ledger's invariants straight from the store
// (not through the API, so it also works while the API is down) and exits non-zero on a
// violation. See Store::verify() for the rules.
#include <charconv>
#include <cstdio>

#include "cli/cmd_ledger.hpp"
#include "core/json_writer.hpp"
#include "core/period.hpp"
#include "ledger/store.hpp"

namespace kt::cli {
namespace {

const char* severity_name(ledger::VerifyIssue::Severity s) {
  return s == ledger::VerifyIssue::Severity::violation ? "violation" : "warning";
}

void print_json(const ledger::VerifyReport& r, int64_t ttl) {
  JsonWriter w;
  w.begin_object();
  w.key("ok").value(r.violations() == 0);
  w.key("violations").value(r.violations());
  w.key("warnings").value(r.warnings());
  w.key("wallets").value(r.wallets);
  w.key("journal_entries").value(r.journal_entries);
  w.key("held_reservations").value(r.held_reservations);
  w.key("active_leases").value(r.active_leases);
  w.key("events").value(r.events);
  w.key("open_gateway_logs").begin_array();
  for (const auto& l : r.open_logs) {
    w.begin_object().field("log_id", l.log_id).field("applied_seq", l.applied_seq);
    w.field("unapplied_records", l.unapplied_records).field("last_seen", l.last_seen).key("pending").begin_array();
    for (const auto& p : l.pending)
      w.begin_object().field("team_id", p.team_id).field("amount", p.amount).field("records", p.records).end_object();
    w.end_array().end_object();
  }
  w.end_array();
  w.key("log_rejects").value(r.log_rejects);
  w.key("reservation_ttl_seconds").value(ttl);
  w.key("issues").begin_array();
  for (const auto& i : r.issues) {
    w.begin_object();
    w.key("severity").value(severity_name(i.severity));
    w.key("team_id").value(i.team_id);
    w.key("period").value(i.period);
    w.key("message").value(i.message);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::printf("%s\n", w.str().c_str());
}

}  // namespace

int64_t parse_duration_seconds(const std::string& text) {
  if (text.empty()) return -1;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return -1;
  std::string unit(end, text.data() + text.size());
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  return -1;
}

int ledger_verify(const LedgerVerifyArgs& a) {
  int64_t ttl = parse_duration_seconds(a.reservation_ttl);
  if (ttl < 0) {
    std::fprintf(stderr, "kt ledger verify: --reservation-ttl must look like 900, 900s, 15m or 1h, got '%s'\n",
                 a.reservation_ttl.c_str());
    return 2;
  }
  ledger::VerifyReport report;
  try {
    auto store = ledger::open_store(a.database);
    report = store->verify({now_unix_seconds(), ttl});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kt ledger verify: %s\n", e.what());
    return 2;
  }
  if (a.format == "json") {
    print_json(report, ttl);
  } else {
    for (const auto& i : report.issues)
      std::printf("%s: %s %s: %s\n", severity_name(i.severity), i.team_id.c_str(), i.period.c_str(),
                  i.message.c_str());
    std::printf("%s: %lld wallets, %lld journal entries, %lld held reservations, %lld active leases, %lld events, "
                "%zu open gateway logs; %lld violations, %lld warnings\n",
                report.violations() == 0 ? "OK" : "FAILED", (long long)report.wallets,
                (long long)report.journal_entries, (long long)report.held_reservations,
                (long long)report.active_leases, (long long)report.events, report.open_logs.size(),
                (long long)report.violations(), (long long)report.warnings());
  }
  return report.violations() == 0 ? 0 : 1;
}

}  // namespace kt::cli
