// Retried: 5xx answers, timeouts and connect errors, as long as nothing has reached the client yet
// (attempt_writer.hpp holds such a failure back while a step is left).
#include "gateway/pipeline/attempt_plan.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kt::gateway {
namespace {

constexpr int64_t kMaxBackoffMs = 60'000;

std::optional<size_t> target_index(const GatewayShared& shared, const std::string& id) {
  for (size_t i = 0; i < shared.targets.size(); ++i)
    if (shared.targets[i].config.id == id) return i;
  return std::nullopt;
}

bool any_retry_configured(const GatewayShared& shared) {
  for (const auto& t : shared.targets)
    if (t.config.retries.max > 0 || !t.config.fallbacks.empty()) return true;
  return false;
}

std::vector<AttemptStep> plan_steps(const GatewayShared& shared, size_t primary, const std::string& client_model) {
  std::vector<AttemptStep> steps;
  auto add_retries = [&](size_t t, const std::string& model) {
    const auto& r = shared.targets[t].config.retries;
    for (int i = 1; i <= r.max; ++i) steps.push_back({t, model, i, r.backoff_ms});
  };
  add_retries(primary, client_model);
  for (const auto& fb : shared.targets[primary].config.fallbacks) {
    auto t = target_index(shared, fb.target);
    if (!t) continue;
    std::string model = fb.model ? *fb.model : shared.targets[*t].config.model.value_or(client_model);
    steps.push_back({*t, model, 0, 0});
    add_retries(*t, model);
  }
  return steps;
}

}  // namespace

AttemptPlan::AttemptPlan(const GatewayShared& shared, std::string client_model)
    : shared_(shared), client_model_(std::move(client_model)), may_retry_(any_retry_configured(shared)) {}

std::optional<AttemptStep> AttemptPlan::next(const providers::ResolvedTarget* failed) {
  if (!planned_) {
    planned_ = true;
    if (failed) steps_ = plan_steps(shared_, static_cast<size_t>(failed - shared_.targets.data()), client_model_);
  }
  if (next_ >= steps_.size()) return std::nullopt;
  return steps_[next_++];
}

std::chrono::milliseconds backoff_of(const AttemptStep& s) {
  if (s.retry <= 0) return std::chrono::milliseconds(0);
  int64_t ms = s.backoff_ms;
  for (int i = 1; i < s.retry && ms < kMaxBackoffMs; ++i) ms *= 2;
  return std::chrono::milliseconds(std::min(ms, kMaxBackoffMs));
}

boost::asio::awaitable<void> back_off(Worker& w, const AttemptStep& s) {
  auto d = backoff_of(s);
  if (d.count() <= 0) co_return;
  boost::asio::steady_timer t(w.ioc);
  t.expires_after(d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

}  // namespace kt::gateway
