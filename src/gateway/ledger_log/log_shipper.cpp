#include "gateway/ledger_log/log_shipper.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr size_t kBatchBytes = 1u << 20;
constexpr auto kCallTimeout = 10s;
constexpr auto kHeartbeat = 1s;
constexpr auto kFirstBackoff = 100ms;
constexpr auto kMaxBackoff = 5000ms;
// A small batch waits a gap after the previous one (log_shipper.hpp): 1 ms per record the previous
// batch read, from 5 ms (a request now and then: its spend is applied at once, as a user checking
// the balance after each call expects) to 25 ms (a lone client's steady stream: ~40 batches a second).
constexpr auto kMinBatchGap = 5ms, kMaxBatchGap = 25ms;
constexpr uint64_t kSmallBatch = 64;  // records; a bigger backlog leaves at once

// Intents and lease records are for recovery only: the API has nothing to do with them.
bool ships(std::string_view json) {
  auto at = json.find(",\"k\":\"");
  if (at == std::string_view::npos) return true;
  std::string_view kind = json.substr(at + 6);
  return !(kind.substr(0, 7) == "intent\"" || kind.substr(0, 6) == "lease\"");
}

}  // namespace

LogShipper::LogShipper(asio::io_context& ioc, ApiLink api, ShipSource& source)
    : ioc_(ioc), api_(std::move(api)), source_(source), cursor_(source.log().start()), wake_(ioc) {}

void LogShipper::start() { asio::co_spawn(ioc_, loop(), asio::detached); }

void LogShipper::wake() { wake_.cancel(); }

void LogShipper::stop() {
  stopped_ = true;
  wake_.cancel();
}

bool LogShipper::caught_up() const {
  auto& log = source_.log();
  return applied_seq_ >= log.last_seq() && log.buffered_bytes() == 0;
}

bool LogShipper::build_batch(std::string& body, uint64_t& through) {
  auto& log = source_.log();
  if (cursor_.seq >= log.written_seq()) return false;
  frames_.clear();
  auto c = cursor_;
  if (!log.read(c, kBatchBytes, frames_)) return false;
  through = c.seq;
  wire::BatchHeader h;
  h.through_seq = int64_t(through);
  h.head_seq = int64_t(log.last_seq());
  source_.fill_header(h, through);
  // The header, then the frames that ship, copied once into the body (room reserved up front).
  body.clear();
  body.reserve(frames_.size() + 256);
  body += wire::encode_batch_header(h);
  body += '\n';
  std::string_view v = frames_;
  while (!v.empty()) {
    spool::FrameView f;
    size_t len = 0;
    if (spool::parse_frame(v, f, len, false) != spool::FrameStatus::ok) break;
    if (f.seq > applied_seq_ && ships(f.json)) body.append(v.data(), len);
    v.remove_prefix(len);
  }
  cursor_ = c;  // taken back by the caller if the batch fails
  return true;
}

std::string LogShipper::heartbeat_body() {
  wire::BatchHeader h;
  h.through_seq = int64_t(applied_seq_);
  h.head_seq = int64_t(source_.log().last_seq());
  source_.fill_header(h, applied_seq_);
  return wire::encode_batch_header(h) + "\n";
}

void LogShipper::took(const ledger::LogApplyResult& r, uint64_t through) {
  contacted_ = true;
  last_contact_ = std::chrono::steady_clock::now();
  if (uint64_t(r.applied_seq) > applied_seq_) {
    applied_seq_ = uint64_t(r.applied_seq);
    last_applied_at_ = last_contact_;
  }
  if (r.rejected > 0) spdlog::error("the API could not apply {} record(s) of this gateway's ledger log (kept in log_rejects)", r.rejected);
  source_.applied(r, std::max<uint64_t>(through, applied_seq_));
}

asio::awaitable<std::optional<ledger::LogApplyResult>> LogShipper::post(std::string body) {
  try {
    auto resp = co_await api_.pool->request(
        api_.url, api_.make("POST", "/v1/gateway/log", std::move(body), "application/x-ndjson"), kCallTimeout);
    api_.note_status(resp.status);  // a refused token stops the worker's requests (api_link.hpp)
    if (resp.status == 200) {
      if (auto r = wire::decode_log_result(resp.body)) co_return r;
      spdlog::error("the API's answer to a ledger log batch cannot be read");
    } else {
      spdlog::warn("ledger log batch refused by the API: HTTP {} {}", resp.status, resp.body.substr(0, 300));
    }
  } catch (const std::exception& e) {
    spdlog::warn("ledger log batch not delivered: {}", e.what());
  }
  ++failures_;
  co_return std::nullopt;
}

bool LogShipper::next_batch(std::string& body, uint64_t& through) {
  uint64_t from = cursor_.seq;
  if (!build_batch(body, through)) return false;
  batch_gap_ = std::clamp<std::chrono::milliseconds>(std::chrono::milliseconds(cursor_.seq - from), kMinBatchGap, kMaxBatchGap);
  return true;
}

asio::awaitable<void> LogShipper::loop() {
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  while (!stopped_) {
    auto gap = last_sent_ + batch_gap_ - std::chrono::steady_clock::now();
    uint64_t pending = source_.log().written_seq() - std::min(cursor_.seq, source_.log().written_seq());
    if (contacted_ && gap > 0ms && pending > 0 && pending < kSmallBatch) {
      asio::steady_timer t(ioc_);  // not wake_: a write must not cut the gap short
      t.expires_after(gap);
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::string body;
    uint64_t through = applied_seq_;
    auto before = cursor_;
    bool batch = contacted_ && next_batch(body, through);
    if (!batch) {
      auto since = std::chrono::steady_clock::now() - last_contact_;
      if (contacted_ && since < kHeartbeat) {
        wake_.expires_after(kHeartbeat - since);
        boost::system::error_code ec;
        co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      body = heartbeat_body();  // first contact (learns the API's mark), or the idle report
    }
    last_sent_ = std::chrono::steady_clock::now();
    auto r = co_await post(std::move(body));
    if (!r) {
      cursor_ = before;
      asio::steady_timer t(ioc_);
      t.expires_after(backoff);
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
      continue;
    }
    backoff = kFirstBackoff;
    took(*r, through);
  }
}

bool LogShipper::drain_blocking(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // A batch may have been in flight when the loop stopped: read again from the oldest frame kept
  // (what the API applied is skipped, here and there).
  cursor_ = source_.log().start();
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  while (std::chrono::steady_clock::now() < deadline) {
    source_.log().flush();
    if (contacted_ && caught_up()) return true;
    std::string body;
    uint64_t through = applied_seq_;
    auto before = cursor_;
    bool batch = contacted_ && next_batch(body, through);
    if (!batch) body = heartbeat_body();
    std::optional<ledger::LogApplyResult> r;
    try {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto resp = http::blocking_request(api_.url, api_.make("POST", "/v1/gateway/log", std::move(body), "application/x-ndjson"),
                                         std::max(left, std::chrono::milliseconds(100)));
      if (resp.status == 200) r = wire::decode_log_result(resp.body);
      else spdlog::warn("ledger log batch refused by the API: HTTP {} {}", resp.status, resp.body.substr(0, 300));
    } catch (const std::exception& e) {
      spdlog::warn("ledger log batch not delivered: {}", e.what());
    }
    if (!r) {
      cursor_ = before;
      std::this_thread::sleep_for(std::min(backoff, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                        deadline - std::chrono::steady_clock::now())));
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
      continue;
    }
    backoff = kFirstBackoff;
    took(*r, through);
  }
  return contacted_ && caught_up();
}

}  // namespace kt::gateway
