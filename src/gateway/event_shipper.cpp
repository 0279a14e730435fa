#include "gateway/event_shipper.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kt::gateway {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using boost::asio::awaitable;

namespace {
constexpr size_t kBatchEvents = 500;
constexpr auto kFlushEvery = 100ms;
}  // namespace

EventShipper::EventShipper(asio::io_context& ioc, std::optional<ApiLink> api, std::string spool_path)
    : ioc_(ioc), api_(std::move(api)), spool_path_(std::move(spool_path)), wake_(ioc) {
  std::error_code ec;
  spool_has_data_ = fs::exists(spool_path_, ec) && fs::file_size(spool_path_, ec) > 0;
}

void EventShipper::push(std::string event_json) {
  pending_ += event_json;
  pending_ += '\n';
  if (++pending_count_ >= kBatchEvents) wake_.cancel();
}

void EventShipper::start() { asio::co_spawn(ioc_, loop(), asio::detached); }

awaitable<bool> EventShipper::send(const std::string& ndjson) {
  if (!api_) co_return false;
  try {
    auto resp = co_await api_->pool->request(api_->url, api_->make("POST", "/v1/events/batch", ndjson, "application/x-ndjson"),
                                             5000ms);
    if (resp.status == 200) co_return true;
    spdlog::warn("event batch refused by the API: HTTP {}", resp.status);
  } catch (const std::exception& e) {
    spdlog::warn("event batch not delivered ({}); spooling to {}", e.what(), spool_path_);
  }
  co_return false;
}

void EventShipper::spool(const std::string& ndjson) {
  // A small local append; the file is replayed when the API answers again.
  std::error_code ec;
  fs::create_directories(fs::path(spool_path_).parent_path(), ec);
  std::ofstream out(spool_path_, std::ios::app | std::ios::binary);
  out << ndjson;
  if (!out) spdlog::error("cannot write event spool {}", spool_path_);
  spool_has_data_ = true;
}

awaitable<void> EventShipper::replay_spool() {
  std::ifstream in(spool_path_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  in.close();
  std::string all = ss.str();
  // Replay in slices so one huge spool does not become one huge request.
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = std::min(all.size(), pos + (4u << 20));
    end = all.find('\n', end == all.size() ? end - 1 : end);
    end = end == std::string::npos ? all.size() : end + 1;
    if (!co_await send(all.substr(pos, end - pos))) {
      // Keep what is left for the next try.
      std::ofstream out(spool_path_, std::ios::trunc | std::ios::binary);
      out << all.substr(pos);
      co_return;
    }
    pos = end;
  }
  std::error_code ec;
  fs::remove(spool_path_, ec);
  spool_has_data_ = false;
  spdlog::info("replayed spooled events from {}", spool_path_);
}

awaitable<void> EventShipper::loop() {
  for (;;) {
    wake_.expires_after(kFlushEvery);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (pending_.empty()) {
      if (spool_has_data_ && api_) co_await replay_spool();
      continue;
    }
    // Two buffers take turns: the next batch fills the last one's memory (no regrowth per batch).
    std::string batch = std::move(spare_);
    batch.clear();
    batch.swap(pending_);
    pending_count_ = 0;
    if (co_await send(batch)) {
      if (spool_has_data_) co_await replay_spool();
    } else {
      spool(batch);
    }
    spare_ = std::move(batch);
  }
}

void EventShipper::drain_blocking() {
  if (pending_.empty()) return;
  if (api_) {
    try {
      auto resp = http::blocking_request(api_->url, api_->make("POST", "/v1/events/batch", pending_, "application/x-ndjson"), 3000ms);
      if (resp.status == 200) {
        pending_.clear();
        return;
      }
    } catch (const std::exception&) {
    }
  }
  spool(pending_);
  pending_.clear();
}

void adopt_orphan_spools(const std::string& spool_dir, const std::string& into_path) {
  std::error_code ec;
  if (!fs::is_directory(spool_dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(spool_dir, ec)) {
    const auto p = entry.path();
    if (p.extension() != ".ndjson" || p.string() == into_path) continue;
    // events-<pid>-w<N>.ndjson: a file of a gateway that is still running is its own business.
    std::string stem = p.stem().string();
    if (stem.rfind("events-", 0) == 0) {
      std::string pid = stem.substr(7, stem.find('-', 7) - 7);
      if (!pid.empty() && fs::exists("/proc/" + pid, ec)) continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::ofstream out(into_path, std::ios::app | std::ios::binary);
    out << in.rdbuf();
    in.close();
    if (out) fs::remove(p, ec);
  }
}

}  // namespace kt::gateway
