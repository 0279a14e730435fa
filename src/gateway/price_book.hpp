#pragma once
// A worker's copy of the API's price book, refreshed in the background. Each worker keeps its
// own copy so looking a price up takes no lock.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/api_link.hpp"
#include "ledger/store.hpp"

namespace kt::gateway {

class PriceBook {
 public:
  PriceBook(boost::asio::io_context& ioc, std::optional<ApiLink> api);
  // Starts the periodic refresh (every `period`).
  void start(std::chrono::milliseconds period);
  void set(std::vector<ledger::PricingRow> rows);
  const ledger::PricingRow* find(const std::string& model) const;
  const std::unordered_map<std::string, ledger::PricingRow>& all() const { return rows_; }
  // For a model not in the book: refresh now unless that was done less than a second ago.
  boost::asio::awaitable<const ledger::PricingRow*> find_or_refresh(const std::string& model);

 private:
  boost::asio::awaitable<bool> refresh();
  boost::asio::awaitable<void> loop(std::chrono::milliseconds period);

  boost::asio::io_context& ioc_;
  std::optional<ApiLink> api_;
  std::unordered_map<std::string, ledger::PricingRow> rows_;
  std::chrono::steady_clock::time_point last_refresh_{};
};

}  // namespace kt::gateway
