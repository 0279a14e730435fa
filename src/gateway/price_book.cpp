#include "gateway/price_book.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/wire/ledger_wire.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

PriceBook::PriceBook(asio::io_context& ioc, std::optional<ApiLink> api) : ioc_(ioc), api_(std::move(api)) {}

void PriceBook::start(std::chrono::milliseconds period) {
  if (api_) asio::co_spawn(ioc_, loop(period), asio::detached);
}

void PriceBook::set(std::vector<ledger::PricingRow> rows) {
  std::unordered_map<std::string, ledger::PricingRow> fresh;
  for (auto& r : rows) fresh.emplace(r.model, std::move(r));
  rows_.swap(fresh);
  last_refresh_ = std::chrono::steady_clock::now();
}

const ledger::PricingRow* PriceBook::find(const std::string& model) const {
  auto it = rows_.find(model);
  return it == rows_.end() ? nullptr : &it->second;
}

asio::awaitable<bool> PriceBook::refresh() {
  if (!api_) co_return false;
  last_refresh_ = std::chrono::steady_clock::now();
  try {
    auto resp = co_await api_->pool->request(api_->url, api_->make("GET", "/v1/model-pricing", ""), 3000ms);
    if (resp.status != 200) co_return false;
    auto rows = wire::decode_pricing_list(resp.body);
    if (!rows) co_return false;
    set(std::move(*rows));
    co_return true;
  } catch (const std::exception& e) {
    spdlog::debug("price refresh failed: {}", e.what());
  }
  co_return false;
}

asio::awaitable<const ledger::PricingRow*> PriceBook::find_or_refresh(const std::string& model) {
  if (auto* p = find(model)) co_return p;
  if (std::chrono::steady_clock::now() - last_refresh_ > 1s) co_await refresh();
  co_return find(model);
}

asio::awaitable<void> PriceBook::loop(std::chrono::milliseconds period) {
  asio::steady_timer t(ioc_);
  for (;;) {
    t.expires_after(period);
    co_await t.async_wait(asio::use_awaitable);
    co_await refresh();
  }
}

}  // namespace kt::gateway
