#pragma once
// Budget alerts that fired (the API decides, once per team, threshold and period): a structured
// log line, an alert event (kept apart from decision events), and an optional Slack-compatible
// webhook POSTed in the background with retries — never on a request's path.
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>

#include "gateway/event_shipper.hpp"
#include "http/client.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

class AlertNotifier {
 public:
  AlertNotifier(boost::asio::io_context& ioc, http::ClientPool& pool, EventShipper& events,
                std::optional<http::Url> webhook, std::string webhook_path);
  void fired(const ledger::SettleOp& settle, const ledger::OpResult& result);

 private:
  boost::asio::io_context& ioc_;
  http::ClientPool& pool_;
  EventShipper& events_;
  std::optional<http::Url> webhook_;
  std::string webhook_path_;
};

}  // namespace kt::gateway
