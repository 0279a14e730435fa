#include "gateway/budget/lease_pool.hpp"

#include <algorithm>

namespace kt::gateway {

LeasePool::Lease& LeasePool::add(Lease lease) {
  auto l = std::make_unique<Lease>(std::move(lease));
  Lease& ref = *l;
  leases_[ref.id] = std::move(l);
  return ref;
}

bool LeasePool::usable(const Lease& l, int64_t now) const {
  if (l.dead || l.return_when_idle || now >= l.expires_at - margin_) return false;
  return l.period_end == 0 || now < l.period_end;
}

std::optional<LeasePool::Hold> LeasePool::try_hold(const std::string& team, Money amount, int64_t now) {
  for (auto& [id, l] : leases_)
    if (l->team == team && usable(*l, now) && l->unheld() >= amount) return hold_on(*l, amount);
  return std::nullopt;
}

LeasePool::Hold LeasePool::hold_on(Lease& l, Money amount) {
  l.held += amount;
  ++l.holds;
  l.last_used = Clock::now();
  return Hold{l.id, amount};
}

void LeasePool::settle(const Hold& h, Money actual) {
  Lease* l = find(h.lease_id);
  if (!l) return;
  l->held -= h.amount;
  --l->holds;
  if (!l->dead) l->consumed += std::min(actual, l->amount - l->consumed);
}

void LeasePool::release(const Hold& h) {
  if (Lease* l = find(h.lease_id)) {
    l->held -= h.amount;
    --l->holds;
  }
}

Money LeasePool::unheld_for(const std::string& team, int64_t now) const {
  Money free;
  for (const auto& [id, l] : leases_)
    if (l->team == team && usable(*l, now)) free += l->unheld();
  return free;
}

LeasePool::Lease* LeasePool::find(const std::string& id) {
  auto it = leases_.find(id);
  return it == leases_.end() ? nullptr : it->second.get();
}

void LeasePool::erase(const std::string& id) { leases_.erase(id); }

std::vector<LeasePool::Lease*> LeasePool::leases_of(const std::string& team) {
  std::vector<Lease*> out;
  for (auto& [id, l] : leases_)
    if (l->team == team) out.push_back(l.get());
  return out;
}

std::vector<LeasePool::Lease*> LeasePool::all() {
  std::vector<Lease*> out;
  out.reserve(leases_.size());
  for (auto& [id, l] : leases_) out.push_back(l.get());
  return out;
}

}  // namespace kt::gateway
