#include "gateway/budget/budget_leases.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/period.hpp"

namespace kt::gateway {
namespace asio = boost::asio;

namespace {
// Stop using a lease this long before the API would expire it, so a hold never starts on a
// lease the API may already have taken back.
int64_t safety_margin(int64_t ttl) { return std::max<int64_t>(2, ttl / 5); }
// spent * 100 >= budget * percent without overflow (the store's block test, applied here to
// the spend this worker knows of).
const char* reserve_status_text(ledger::ReserveStatus s) {
  switch (s) {
    case ledger::ReserveStatus::reserved: return "reserved";
    case ledger::ReserveStatus::insufficient: return "insufficient";
    case ledger::ReserveStatus::blocked: return "blocked";
    case ledger::ReserveStatus::no_wallet: return "no wallet";
    case ledger::ReserveStatus::key_budget: return "key budget";
  }
  return "refused";
}
bool at_or_past_percent(Money spent, Money budget, int percent) {
  return __int128(spent.nanos()) * 100 >= __int128(budget.nanos()) * percent;
}
// How many seconds of burn a lease should cover.
constexpr int64_t kRefillSeconds = 10;
}  // namespace

BudgetLeases::BudgetLeases(asio::io_context& ioc, LedgerClient& ledger, LedgerLog& log, Options options)
    : ioc_(ioc), ledger_(ledger), log_(log), options_(std::move(options)), pool_(safety_margin(options_.ttl_seconds)),
      timer_(ioc) {}

BudgetLeases::~BudgetLeases() = default;

void BudgetLeases::start() { tick(); }

void BudgetLeases::count_request(Team& t, Money amount) {
  int64_t sec = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  if (sec != t.bucket_second) {
    bool adjacent = sec == t.bucket_second + 1;
    t.last_requests = adjacent ? t.bucket_requests : 0;
    t.last_amount = adjacent ? t.bucket_amount : Money::zero();
    t.bucket_second = sec;
    t.bucket_requests = 0;
    t.bucket_amount = Money::zero();
  }
  ++t.bucket_requests;
  t.bucket_amount += amount;
}

Money BudgetLeases::want(const Team& t, Money amount) const {
  // The busier of the last two seconds, over the refill window; never less than two requests.
  Money per_second = std::max(t.last_amount, t.bucket_amount);
  Money w = Money::from_nanos(per_second.nanos() > INT64_MAX / kRefillSeconds ? INT64_MAX
                                                                              : per_second.nanos() * kRefillSeconds);
  Money two = Money::from_nanos(amount.nanos() > INT64_MAX / 2 ? INT64_MAX : amount.nanos() * 2);
  w = std::max(w, two);
  w = std::min(w, options_.max_amount);
  return std::max(w, amount);
}

std::optional<ledger::Balance> BudgetLeases::known_balance(const std::string& team) const {
  auto it = teams_.find(team);
  if (it == teams_.end() || !it->second.last_balance) return std::nullopt;
  ledger::Balance b = *it->second.last_balance;
  b.spent += it->second.settled_unacknowledged;
  return b;
}

asio::awaitable<BudgetLeases::HoldResult> BudgetLeases::hold(const std::string& team, Money amount) {
  HoldResult out;
  Team& t = teams_[team];
  count_request(t, amount);
  // A block alert: stop once the spend known here (the API's figure plus what was settled
  // since) reaches the threshold.
  if (options_.block_at_percent > 0 && t.last_balance &&
      at_or_past_percent(t.last_balance->spent + t.settled_unacknowledged, t.last_balance->budget,
                                 options_.block_at_percent)) {
    out.outcome = Outcome::refused;
    out.refusal.reserve_status = ledger::ReserveStatus::blocked;
    out.refusal.balance = *t.last_balance;
    out.refusal.balance.spent += t.settled_unacknowledged;
    co_return out;
  }
  for (int round = 0; round < 4; ++round) {
    int64_t now = now_unix_seconds();
    if (auto h = pool_.try_hold(team, amount, now)) {
      out.outcome = Outcome::held;
      out.hold = std::move(*h);
      maybe_refill(team, t, amount, now);
      co_return out;
    }
    if (t.acquiring) {  // another request of this team is leasing now: wait for it, then look again
      auto timer = t.acquiring;
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (auto h = pool_.try_hold(team, amount, now_unix_seconds())) {
        out.outcome = Outcome::held;
        out.hold = std::move(*h);
        co_return out;
      }
      if (t.last_refusal && amount >= t.last_refused_min) {  // it was refused: so is this one
        out.outcome = Outcome::refused;
        out.refusal = *t.last_refusal;
        co_return out;
      }
      continue;
    }
    // Leases of this team too small for this request and holding nothing go back first (in the
    // same batch, ahead of the acquire or reservation), so their room can be used again.
    return_idle(team);
    if (std::max(t.bucket_requests, t.last_requests) < kLeaseMinRate) {
      out.outcome = Outcome::use_reservation;
      co_return out;
    }

    LeasePool::Lease* granted = nullptr;
    auto result = co_await acquire(team, amount, granted, Acquire::on_demand);
    if (!result) co_return out;  // unavailable
    if (granted) {
      // The grant is at least `amount`: this request's, before anyone else's.
      out.hold = pool_.hold_on(*granted, amount);
      out.outcome = Outcome::held;
      co_return out;
    }
    if (amount.is_zero() && result->reserve_status == ledger::ReserveStatus::insufficient) {
      out.outcome = Outcome::held;  // a free request cannot overspend: nothing to hold
      co_return out;
    }
    out.outcome = Outcome::refused;
    out.refusal = std::move(*result);
    co_return out;
  }
  if (t.last_refusal && amount >= t.last_refused_min) {
    out.outcome = Outcome::refused;
    out.refusal = *t.last_refusal;
    co_return out;
  }
  out.outcome = Outcome::use_reservation;  // the team's leases keep draining under us
  co_return out;
}

asio::awaitable<std::optional<ledger::OpResult>> BudgetLeases::acquire(const std::string& team, Money amount,
                                                                      LeasePool::Lease*& granted, Acquire kind) {
  granted = nullptr;
  Team& t = teams_[team];
  ledger::LeaseAcquireOp op;
  op.lease_id = "lease_" + options_.holder + "_" + std::to_string(++next_lease_);
  op.team_id = team;
  op.holder = options_.holder;
  op.want = want(t, amount);
  op.min = amount;
  op.ttl_seconds = options_.ttl_seconds;
  op.block_at_percent = options_.block_at_percent;
  op.log_id = options_.log_id;
  auto timer = std::make_shared<asio::steady_timer>(ioc_, asio::steady_timer::time_point::max());
  t.acquiring = timer;
  auto result = co_await ledger_.acquire_lease(std::move(op));
  t.acquiring.reset();  // unordered_map keeps references to its elements valid
  timer->cancel();
  if (!result) co_return result;
  t.last_balance = result->balance;
  t.settled_unacknowledged = Money::zero();
  t.last_refusal.reset();
  if (result->reserve_status != ledger::ReserveStatus::reserved) {
    if (kind == Acquire::on_demand) {
      t.last_refusal = *result;
      t.last_refused_min = amount;
    } else {
      t.refill_refused_second = now_unix_seconds();
    }
  }
  if (result->reserve_status == ledger::ReserveStatus::reserved && result->lease && result->lease->state == "active") {
    LeasePool::Lease l;
    l.id = result->lease->id;
    l.team = team;
    l.amount = result->lease->amount;
    l.expires_at = result->lease->expires_at;
    l.period_end = result->lease->period_end;
    l.last_used = Clock::now();
    log_.lease_granted(l.id, team, l.amount);
    granted = &pool_.add(std::move(l));
  }
  co_return result;
}

void BudgetLeases::maybe_refill(const std::string& team, Team& t, Money amount, int64_t now) {
  if (t.acquiring || std::max(t.bucket_requests, t.last_requests) < kLeaseMinRate) return;
  if (t.refill_refused_second == now) return;  // near exhaustion: one refused refill a second is enough
  // Lease the next slice while a quarter of one is still unheld, so requests do not wait for it.
  Money unheld = pool_.unheld_for(team, now);
  if (unheld.nanos() > want(t, amount).nanos() / 4) return;
  asio::co_spawn(ioc_, refill(team, amount), asio::detached);
}

asio::awaitable<void> BudgetLeases::refill(std::string team, Money amount) {
  LeasePool::Lease* granted = nullptr;
  auto result = co_await acquire(team, amount, granted, Acquire::speculative);
  if (result && !granted && result->reserve_status != ledger::ReserveStatus::reserved)
    spdlog::debug("no further lease for {}: {}", team, reserve_status_text(result->reserve_status));
}

void BudgetLeases::consume(const Hold& h, const std::string& team, Money actual) {
  teams_[team].settled_unacknowledged += actual;
  if (pool_.find(h.lease_id)) pool_.settle(h, actual);
  return_if_wanted(h.lease_id);
}

void BudgetLeases::return_if_wanted(const std::string& lease_id) {
  auto* l = pool_.find(lease_id);
  if (l && l->return_when_idle && l->holds == 0) return_lease(lease_id);
}

void BudgetLeases::release(const Hold& h) {
  pool_.release(h);
  return_if_wanted(h.lease_id);
}

void BudgetLeases::return_idle(const std::string& team) {
  std::vector<std::string> idle;
  for (auto* l : pool_.leases_of(team))
    if (l->holds == 0) idle.push_back(l->id);
  for (const auto& id : idle) return_lease(id);
}

void BudgetLeases::return_for_sibling(const std::string& team) {
  // Idle leases go back now; busy ones as soon as their last request ends.
  for (auto* l : pool_.leases_of(team)) l->return_when_idle = true;
  return_idle(team);
}

Money BudgetLeases::free_for(const std::string& team) const { return pool_.unheld_for(team, now_unix_seconds()); }

std::optional<Money> BudgetLeases::known_remaining(const std::string& team) const {
  auto it = teams_.find(team);
  if (it == teams_.end() || !it->second.last_balance) return std::nullopt;
  return it->second.last_balance->remaining() + free_for(team);
}

void BudgetLeases::on_applied(const std::string& team, const ledger::Balance& balance, Money settled) {
  auto it = teams_.find(team);
  if (it == teams_.end()) return;
  it->second.last_balance = balance;
  it->second.settled_unacknowledged -= std::min(settled, it->second.settled_unacknowledged);
}

void BudgetLeases::on_renewed(const ledger::LedgerOp& op, const ledger::OpResult& r) {
  using Kind = ledger::LedgerOp::Kind;
  if (op.kind == Kind::lease_renew && r.lease) {
    auto* l = pool_.find(op.lease_renew.lease_id);
    if (!l) return;
    if (r.lease->state == "active") {
      l->expires_at = std::max(l->expires_at, r.lease->expires_at);
    } else {
      spdlog::warn("budget lease {} is {} at the API: no new requests on it", l->id, r.lease->state);
      l->dead = true;
    }
  }
}

void BudgetLeases::return_lease(const std::string& id) {
  auto* l = pool_.find(id);
  if (!l) return;
  // Behind this lease's settles in the log, so the API counts what they consumed first.
  log_.lease_returned(id, l->team);
  pool_.erase(id);
}

void BudgetLeases::return_all() {
  std::vector<std::string> ids;
  for (auto* l : pool_.all()) ids.push_back(l->id);
  for (const auto& id : ids) return_lease(id);
}

void BudgetLeases::tick() {
  int64_t now = now_unix_seconds();
  auto idle_after = std::chrono::seconds(options_.idle_return_seconds);
  std::vector<std::string> to_return;
  for (auto* l : pool_.all()) {
    bool idle = Clock::now() - l->last_used >= idle_after;
    if (l->holds == 0 && (idle || !pool_.usable(*l, now))) to_return.push_back(l->id);
    else if (!l->dead) ledger_.renew_lease({l->id, l->team, options_.ttl_seconds});
  }
  for (const auto& id : to_return) return_lease(id);
  // Renew three times per TTL: a lease survives two lost renewals.
  timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(500, options_.ttl_seconds * 1000 / 3)));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

}  // namespace kt::gateway
