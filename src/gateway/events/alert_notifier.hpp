#pragma once
// Budget alerts that fired (the API decides, once per team, threshold and period): a structured
// log line, an alert event (kept apart from decision events), and an optional Slack-compatible
// webhook POSTed in the background with retries — never on a request's path.
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>

#include "gateway/ledger_log/event_sink.hpp"
#include "http/client.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

class AlertNotifier {
 public:
  AlertNotifier(boost::asio::io_context& ioc, http::ClientPool& pool, EventSink& events,
                std::optional<http::Url> webhook, std::string webhook_path);
  // `thresholds` fired for the team's balance `b`; `group` and `request_id` are the consumer group
  // and request of the team's last settle in the batch that crossed them.
  void fired(const std::string& group, const std::string& request_id, const ledger::Balance& b,
             const std::vector<int>& thresholds);
  // The spend-rate breaker refused `group` under `bound` (max_spend_per_minute|hour): once per
  // episode (rate_limits/spend_alert_latch.hpp).
  void spend_rate(const std::string& group, const std::string& team, const std::string& request_id,
                  const std::string& bound, Money limit);
  // The projected_exhaustion alert (the API decides, once per team and period): at its recent
  // pace the team's budget runs out at `exhausts_at` (unix seconds), before the period ends.
  void projected(const std::string& group, const std::string& request_id, const ledger::Balance& b,
                 int64_t exhausts_at);

 private:
  boost::asio::io_context& ioc_;
  http::ClientPool& pool_;
  EventSink& events_;
  std::optional<http::Url> webhook_;
  std::string webhook_path_;
  void announce(std::string event, const std::string& text);
};

}  // namespace kt::gateway
