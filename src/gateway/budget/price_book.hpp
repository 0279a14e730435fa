#pragma once
// A worker's copy of the API's price book, refreshed in the background. Each worker keeps its
// own copy so looking a price up takes no lock. The copy holds the versions in force and those
// scheduled later (GET /v1/model-pricing?include=scheduled): a scheduled version takes over at
// its effective_from to the second, without waiting for the next refresh; a change that is in
// force at once shows up within one refresh period.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/api_link.hpp"
#include "ledger/store_types.hpp"

namespace kt::gateway {

class PriceBook {
 public:
  PriceBook(boost::asio::io_context& ioc, std::optional<ApiLink> api);
  // Starts the periodic refresh (every `period`).
  void start(std::chrono::milliseconds period);
  // Rows in force and scheduled, in any order; those without effective_from are in force.
  void set(std::vector<ledger::PricingRow> rows);
  // The version in force now (wall clock, unix seconds).
  const ledger::PricingRow* find(const std::string& model) { return find_at(model, now_seconds()); }
  const ledger::PricingRow* find_at(const std::string& model, int64_t unix_seconds);
  const std::unordered_map<std::string, ledger::PricingRow>& all() {
    promote_due(now_seconds());
    return rows_;
  }
  // For a model not in the book: refresh now unless that was done less than a second ago.
  boost::asio::awaitable<const ledger::PricingRow*> find_or_refresh(const std::string& model);
  // The same, and a model the book lacks is priced as the one `aliases` (the config's
  // model_aliases) maps it to. Only there: a dated name is never matched to a price by prefix.
  boost::asio::awaitable<const ledger::PricingRow*> find_or_refresh(const std::string& model,
                                                                    const std::map<std::string, std::string>& aliases);

 private:
  boost::asio::awaitable<bool> refresh();
  // Moves the scheduled versions whose effective_from has come into rows_. Lookups only move
  // forward in time: a request never sees an older price than the one before it.
  void promote_due(int64_t unix_seconds);
  static int64_t now_seconds();
  boost::asio::awaitable<void> loop(std::chrono::milliseconds period);

  boost::asio::io_context& ioc_;
  std::optional<ApiLink> api_;
  std::unordered_map<std::string, ledger::PricingRow> rows_;  // in force
  std::vector<ledger::PricingRow> scheduled_;                  // later, by effective_from then version
  std::chrono::steady_clock::time_point last_refresh_{};
};

}  // namespace kt::gateway
