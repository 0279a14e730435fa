#include "gateway/ledger_log/log_recovery.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "gateway/ledger_log/ledger_log.hpp"

namespace kt::gateway {
namespace fs = std::filesystem;

void RecoveredLog::fill_header(wire::BatchHeader& h, uint64_t through) {
  h.log_id = log_id;
  h.holder = "recovery";
  h.thresholds = thresholds;
  h.unapplied_records = int64_t(segments->last_seq() - std::min<uint64_t>(through, segments->last_seq()));
}

std::vector<std::unique_ptr<RecoveredLog>> adopt_dead_logs(const std::string& ledger_dir, const spool::LogOptions& options,
                                                           const std::vector<int>& thresholds) {
  std::vector<std::unique_ptr<RecoveredLog>> out;
  for (const auto& dir : spool::list_logs(ledger_dir)) {
    std::map<std::string, LoggedIntent> open;      // by key
    std::map<std::string, std::string> leases;     // id -> team
    bool closed = false;
    std::deque<std::string> scratch;
    std::unique_ptr<spool::SegmentLog> log;
    try {
      log = spool::SegmentLog::adopt(dir, options, [&](const spool::FrameView& f) {
        ledger::LogRecord r;
        scratch.clear();
        wire::decode_record(f.json, r, scratch);
        using K = ledger::LogRecord::Kind;
        switch (r.kind) {
          case K::intent:
            open[std::string(r.key)] = logged_intent(r);
            break;
          case K::settle:
          case K::release: open.erase(std::string(r.key)); break;
          case K::lease: leases[std::string(r.lease_id)] = std::string(r.team_id); break;
          case K::lease_return: leases.erase(std::string(r.lease_id)); break;
          case K::close: closed = true; break;
          default: break;
        }
      });
    } catch (const std::exception& e) {
      spdlog::error("cannot adopt the ledger log in {}: {}", dir, e.what());
      continue;
    }
    if (!log) continue;  // a live gateway's
    auto rec = std::make_unique<RecoveredLog>();
    rec->log_id = fs::path(dir).filename().string();
    rec->thresholds = thresholds;
    rec->was_closed = closed;
    if (!closed) {
      for (const auto& [key, i] : open) {
        log->append(settle_at_reservation(
            i, "the gateway stopped before this request's answer was recorded: billed at what it held"));
        ++rec->settled_at_reservation;
        rec->billed_at_reservation += i.held;
      }
      for (const auto& [lease, team] : leases) {
        log->append(wire::lease_return_record(lease, team));
        ++rec->leases_returned;
      }
      log->append(wire::close_record());
      if (!log->flush()) {
        spdlog::error("cannot complete the ledger log in {}: {}", dir, log->last_error());
        continue;
      }
    }
    rec->segments = std::move(log);
    spdlog::info("adopted ledger log {} ({} record(s); {} request(s) in flight billed at their reservation, {} total; "
                 "{} lease(s) returned)",
                 rec->log_id, rec->segments->last_seq(), rec->settled_at_reservation,
                 rec->billed_at_reservation.to_display(), rec->leases_returned);
    out.push_back(std::move(rec));
  }
  return out;
}

RecoveryShipping::RecoveryShipping(boost::asio::io_context& ioc, ApiLink api,
                                   std::vector<std::unique_ptr<RecoveredLog>> logs)
    : ioc_(ioc), logs_(std::move(logs)), timer_(ioc) {
  for (auto& l : logs_) shippers_.push_back(std::make_unique<LogShipper>(ioc, api, *l));
  done_.assign(logs_.size(), false);
}

void RecoveryShipping::start() {
  for (auto& s : shippers_) s->start();
  check();
}

void RecoveryShipping::check() {
  bool left = false;
  for (size_t i = 0; i < logs_.size(); ++i) {
    if (done_[i]) continue;
    if (!shippers_[i]->caught_up()) {
      left = true;
      continue;
    }
    done_[i] = true;
    shippers_[i]->stop();
    logs_[i]->segments->remove();
    spdlog::info("ledger log {} is in the ledger: removed from the spool", logs_[i]->log_id);
  }
  if (!left) return;
  timer_.expires_after(std::chrono::milliseconds(500));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) check();
  });
}

void adopt_legacy_event_spools(const std::string& spool_dir, const std::function<void(std::string)>& push) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(spool_dir, ec)) {
    const auto p = entry.path();
    std::string stem = p.stem().string();
    if (p.extension() != ".ndjson" || stem.rfind("events-", 0) != 0) continue;
    std::string pid = stem.substr(7, stem.find('-', 7) - 7);
    if (!pid.empty() && fs::exists("/proc/" + pid, ec)) continue;  // a running process's own
    std::ifstream in(p, std::ios::binary);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line))
      if (!line.empty()) push(std::move(line)), ++n;
    in.close();
    fs::remove(p, ec);
    spdlog::info("adopted {} spooled event(s) from {}", n, p.string());
  }
}

}  // namespace kt::gateway
