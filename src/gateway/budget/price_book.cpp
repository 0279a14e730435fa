#include "gateway/budget/price_book.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "wire/ledger_wire.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

PriceBook::PriceBook(asio::io_context& ioc, std::optional<ApiLink> api) : ioc_(ioc), api_(std::move(api)) {}

void PriceBook::start(std::chrono::milliseconds period) {
  if (api_) asio::co_spawn(ioc_, loop(period), asio::detached);
}

namespace {
// Which of two versions of one model wins: the later effective_from, then the higher version.
bool takes_over(const ledger::PricingRow& a, const ledger::PricingRow& b) {
  int64_t fa = a.effective_from.value_or(0), fb = b.effective_from.value_or(0);
  return fa != fb ? fa > fb : a.version > b.version;
}
}  // namespace

int64_t PriceBook::now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void PriceBook::set(std::vector<ledger::PricingRow> rows) {
  const int64_t now = now_seconds();
  std::unordered_map<std::string, ledger::PricingRow> fresh;
  std::vector<ledger::PricingRow> later;
  for (auto& r : rows) {
    if (r.effective_from.value_or(0) > now) {
      later.push_back(std::move(r));
      continue;
    }
    auto it = fresh.find(r.model);
    if (it == fresh.end()) fresh.emplace(r.model, std::move(r));
    else if (takes_over(r, it->second)) it->second = std::move(r);
  }
  std::sort(later.begin(), later.end(), [](const auto& a, const auto& b) { return takes_over(b, a); });
  rows_.swap(fresh);
  scheduled_.swap(later);
  last_refresh_ = std::chrono::steady_clock::now();
}

void PriceBook::promote_due(int64_t unix_seconds) {
  size_t due = 0;
  while (due < scheduled_.size() && scheduled_[due].effective_from.value_or(0) <= unix_seconds) {
    auto& r = scheduled_[due++];
    auto it = rows_.find(r.model);
    if (it == rows_.end()) rows_.emplace(r.model, r);
    else if (takes_over(r, it->second)) it->second = r;
  }
  if (due) scheduled_.erase(scheduled_.begin(), scheduled_.begin() + std::ptrdiff_t(due));
}

const ledger::PricingRow* PriceBook::find_at(const std::string& model, int64_t unix_seconds) {
  promote_due(unix_seconds);
  auto it = rows_.find(model);
  return it == rows_.end() ? nullptr : &it->second;
}

asio::awaitable<bool> PriceBook::refresh() {
  if (!api_) co_return false;
  last_refresh_ = std::chrono::steady_clock::now();
  try {
    auto resp = co_await api_->pool->request(api_->url, api_->make("GET", "/v1/model-pricing?include=scheduled", ""), 3000ms);
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

asio::awaitable<const ledger::PricingRow*> PriceBook::find_or_refresh(const std::string& model,
                                                                      const std::map<std::string, std::string>& aliases) {
  if (auto* p = find(model)) co_return p;
  auto alias = aliases.find(model);
  const std::string& priced = alias == aliases.end() ? model : alias->second;
  auto* row = co_await find_or_refresh(priced);
  co_return row;
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
