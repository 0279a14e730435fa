#include "gateway/events/alert_notifier.hpp"

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
    w.field("id", new_id("alert_")).field("type", "alert").field("kind", "budget_threshold").field("timestamp", format_rfc3339(now_unix_micros()));
    w.field("consumer_group", group).field("team_id", b.team_id).field("period", b.period.label);
    w.field("threshold_percent", threshold).field("action", "notify");
    w.field("budget", b.budget).field("spent", b.spent).field("remaining", b.remaining());
    w.key("usage_percent").percent(percent_nanos(b.spent, b.budget));
    w.field("request_id", request_id);
    w.end_object();
    announce(w.take(), "Keeptrusts budget alert: consumer group " + group + " (" + b.team_id + ") reached " +
                           std::to_string(threshold) + "% of its " + b.period.label + " budget: spent " +
                           b.spent.to_display() + " of " + b.budget.to_display() + " (" + usage + "%).");
  }
}

void AlertNotifier::spend_rate(const std::string& group, const std::string& team, const std::string& request_id,
                               const std::string& bound, Money limit) {
  spdlog::get("keeptrusts::alerts")->warn("spend-rate alert: bound={} limit={} action=block consumer_group={} team_id={}",
                                          bound, limit.to_display(), group, team);
  JsonWriter w;
  w.begin_object();
  w.field("id", new_id("alert_")).field("type", "alert").field("timestamp", format_rfc3339(now_unix_micros()));
  w.field("kind", "spend_rate").field("consumer_group", group).field("team_id", team).field("rate_bound", bound).field("limit", limit);
  w.field("action", "block").field("request_id", request_id);
  w.end_object();
  announce(w.take(), "Keeptrusts spend-rate alert: consumer group " + group + " (" + team + ") hit " + bound + " (" +
                         limit.to_display() + "); its requests are refused with 429 until the rate falls.");
}

void AlertNotifier::projected(const std::string& group, const std::string& request_id, const ledger::Balance& b,
                              int64_t exhausts_at) {
  // Seconds past what microseconds can hold (a period without end is INT64_MAX) are "never".
  auto when = [](int64_t seconds) {
    return seconds > INT64_MAX / 1000000 ? std::string("never") : format_rfc3339(seconds * 1000000);
  };
  const std::string at = when(exhausts_at), end = when(b.period.end);
  spdlog::get("keeptrusts::alerts")->warn(
      "budget alert: kind=projected_exhaustion consumer_group={} team_id={} period={} exhausts_at={} period_end={} "
      "budget={} spent={}",
      group, b.team_id, b.period.label, at, end, b.budget.to_display(), b.spent.to_display());
  JsonWriter w;
  w.begin_object();
  w.field("id", new_id("alert_")).field("type", "alert").field("kind", "projected_exhaustion");
  w.field("timestamp", format_rfc3339(now_unix_micros()));
  w.field("consumer_group", group).field("team_id", b.team_id).field("period", b.period.label);
  w.field("exhausts_at", at).field("period_end", end).field("action", "notify");
  w.field("budget", b.budget).field("spent", b.spent).field("remaining", b.remaining());
  w.key("usage_percent").percent(percent_nanos(b.spent, b.budget));
  w.field("request_id", request_id);
  w.end_object();
  announce(w.take(), "Keeptrusts budget alert: at its recent pace consumer group " + group + " (" + b.team_id +
                         ") runs out of its " + b.period.label + " budget at " + at + ", before the period ends (" +
                         end + "): spent " + b.spent.to_display() + " of " + b.budget.to_display() + ".");
}

void AlertNotifier::announce(std::string event, const std::string& text) {
  events_.push(std::move(event));
  if (!webhook_) return;
  JsonWriter slack;
  slack.begin_object().field("text", text);
  slack.end_object();
  asio::co_spawn(ioc_, post_webhook(ioc_, pool_, *webhook_, webhook_path_, slack.take()), asio::detached);
}

}  // namespace kt::gateway
