#include "gateway/alert_notifier.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/json_writer.hpp"
#include "core/period.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> post_webhook(asio::io_context& ioc, http::ClientPool& pool, http::Url url, std::string path,
                                   std::string body) {
  auto delay = 1s;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    try {
      http::ClientRequest r;
      r.method = "POST";
      r.target = path;
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = body;
      auto resp = co_await pool.request(url, std::move(r), 5000ms);
      if (resp.status >= 200 && resp.status < 300) co_return;
      spdlog::warn("alert webhook answered HTTP {} (attempt {})", resp.status, attempt);
    } catch (const std::exception& e) {
      spdlog::warn("alert webhook failed (attempt {}): {}", attempt, e.what());
    }
    asio::steady_timer t(ioc);
    t.expires_after(delay);
    co_await t.async_wait(asio::use_awaitable);
    delay *= 2;
  }
  spdlog::error("alert webhook gave up after 5 attempts");
}

}  // namespace

AlertNotifier::AlertNotifier(asio::io_context& ioc, http::ClientPool& pool, EventSink& events,
                             std::optional<http::Url> webhook, std::string webhook_path)
    : ioc_(ioc), pool_(pool), events_(events), webhook_(std::move(webhook)), webhook_path_(std::move(webhook_path)) {}

void AlertNotifier::fired(const std::string& group, const std::string& request_id, const ledger::Balance& b,
                          const std::vector<int>& thresholds) {
  std::string usage = format_percent(percent_nanos(b.spent, b.budget));
  for (int threshold : thresholds) {
    spdlog::get("keeptrusts::alerts")->warn(
        "budget alert: threshold={}% action=notify consumer_group={} team_id={} period={} budget={} spent={} usage={}%",
        threshold, group, b.team_id, b.period.label, b.budget.to_display(), b.spent.to_display(), usage);
    JsonWriter w;
    w.begin_object();
    w.field("id", new_id("alert_")).field("type", "alert").field("timestamp", format_rfc3339(now_unix_micros()));
    w.field("consumer_group", group).field("team_id", b.team_id).field("period", b.period.label);
    w.field("threshold_percent", threshold).field("action", "notify");
    w.field("budget", b.budget).field("spent", b.spent).field("remaining", b.remaining());
    w.key("usage_percent").percent(percent_nanos(b.spent, b.budget));
    w.field("request_id", request_id);
    w.end_object();
    events_.push(w.take());
    if (webhook_) {
      JsonWriter slack;
      slack.begin_object().field(
          "text", "Keeptrusts budget alert: consumer group " + group + " (" + b.team_id + ") reached " +
                      std::to_string(threshold) + "% of its " + b.period.label + " budget: spent " + b.spent.to_display() +
                      " of " + b.budget.to_display() + " (" + usage + "%).");
      slack.end_object();
      asio::co_spawn(ioc_, post_webhook(ioc_, pool_, *webhook_, webhook_path_, slack.take()), asio::detached);
    }
  }
}

}  // namespace kt::gateway
