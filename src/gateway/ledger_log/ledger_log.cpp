#include "gateway/ledger_log/ledger_log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/json_writer.hpp"
#include "core/period.hpp"

namespace kt::gateway {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A frame's bytes besides its record's: checksum, space, {"s":, the number, newline.
constexpr uint32_t kFrameOverhead = 9 + 5 + 10 + 1;

constexpr auto kRetryWrite = 100ms;
constexpr auto kAdmitPoll = 10ms;
constexpr auto kPacePoll = 2ms;
// While the spool cannot be written, refusal events wait in memory up to this much (then dropped).
constexpr size_t kMaxEventBytesWhileFailing = 4u << 20;

}  // namespace

std::string settle_at_reservation(const LoggedIntent& i, std::string_view why) {
  const int64_t now = now_unix_micros();
  std::string id = new_id("evt_");
  JsonWriter j(768);
  j.begin_object().field("id", id).field("type", "decision").field("timestamp", format_rfc3339(now));
  j.field("request_id", i.request_id).field("consumer_group", i.group).field("team_id", i.team);
  j.field("model", i.model).field("provider", i.provider);
  j.field("decision", "allow").field("verdict", "allow").field("reason", "billed_at_reservation");
  j.field("reason_code", "billed_at_reservation").key("status").null();
  j.key("usage").begin_object().field("prompt_tokens", i.prompt_tokens).field("completion_tokens", i.output_tokens);
  j.field("total_tokens", i.prompt_tokens + i.output_tokens).end_object();
  j.field("usage_source", "reservation").field("cost", i.held).field("estimated_cost", i.held).field("currency", "USD");
  j.key("warnings").begin_array().value(why).end_array();
  j.end_object();
  std::string json = j.take();
  return wire::settle_record(i.request(), i.held, i.held, i.prompt_tokens, i.output_tokens, /*recovered=*/true,
                             wire::RecordEvent{id, "decision", now, json});
}

LoggedIntent logged_intent(const ledger::LogRecord& r) {
  return LoggedIntent{std::string(r.key),      std::string(r.team_id),  std::string(r.lease_id),
                      std::string(r.request_id), std::string(r.model),  std::string(r.provider),
                      std::string(r.consumer_group), r.amount, r.prompt_tokens, r.completion_tokens, r.reserved};
}

void LedgerLog::forget_intent(std::string_view key) {
  // Heterogeneous lookup (no key string built per request); erase by iterator.
  if (auto it = open_intents_.find(key); it != open_intents_.end()) open_intents_.erase(it);
}

LedgerLog::LedgerLog(asio::io_context& ioc, LedgerLogOptions options)
    : ioc_(ioc), options_(std::move(options)), log_(spool::SegmentLog::create(options_.dir, options_.spool)),
      retry_(ioc) {
  log_->on_rotate([this] { carry_forward(); });
}

LedgerLog::~LedgerLog() = default;

uint64_t LedgerLog::append(std::string rest, Money amount, std::string_view team, std::string_view group,
                           std::string_view request_id, bool shipped) {
  uint32_t bytes = uint32_t(rest.size()) + kFrameOverhead;
  uint64_t seq = log_->append(rest);
  unapplied_.push_back({seq, bytes, shipped, amount, std::string(team), std::string(group), std::string(request_id)});
  appended_bytes_ += bytes;
  if (shipped) ++unapplied_records_;
  if (!team.empty()) {
    auto& p = pending_[std::string(team)];
    p.first += amount;
    ++p.second;
  }
  schedule_flush();
  return seq;
}

void LedgerLog::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(ioc_, [this] {
    flush_posted_ = false;
    flush_now();
  });
}

void LedgerLog::flush_now() {
  uint64_t before = log_->written_seq();
  bool ok = log_->flush();
  if (log_->written_seq() != before && on_written_) on_written_();
  if (ok) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_failure_log_ > 5s) {
    spdlog::error("{}: new priced requests are refused until it can be written again ({} bytes waiting)",
                  log_->last_error(), log_->buffered_bytes());
    last_failure_log_ = now;
  }
  retry_.expires_after(kRetryWrite);
  retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) flush_now();
  });
}

asio::awaitable<bool> LedgerLog::written(uint64_t seq) {
  co_await asio::post(ioc_, asio::use_awaitable);  // after the flush posted with (or before) this append
  co_return log_->written_seq() >= seq;
}

bool LedgerLog::over_cap() const {
  return unapplied_records() >= options_.max_unapplied_records || unapplied_bytes() >= options_.max_unapplied_bytes ||
         log_->failing();
}

bool LedgerLog::drops_events() {
  // An event without money (a refusal, an alert) is dropped, counted and said once in a while, only
  // past a bound: the unapplied caps (a flood of refusals during an API outage cannot grow the
  // spool), or what waits in memory while the spool cannot be written (a full disk) — below that
  // it is written with the rest when space comes back.
  bool drop = closed_ || unapplied_records() >= options_.max_unapplied_records ||
              unapplied_bytes() >= options_.max_unapplied_bytes ||
              (log_->failing() && log_->buffered_bytes() >= kMaxEventBytesWhileFailing);
  if (drop && events_dropped_++ % 1000 == 0)
    spdlog::warn("ledger log over its bound: {} event(s) dropped", events_dropped_);
  return drop;
}

asio::awaitable<bool> LedgerLog::admit() {
  if (!over_cap()) {
    const int64_t pace_us = std::chrono::duration_cast<std::chrono::microseconds>(options_.pace_lag).count();
    if (!lag_us_ || lag_us_() <= pace_us) co_return true;
    auto until = std::chrono::steady_clock::now() + options_.pace_wait;
    asio::steady_timer t(ioc_);
    while (lag_us_() > pace_us && std::chrono::steady_clock::now() < until && !over_cap()) {
      t.expires_after(kPacePoll);
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!over_cap()) co_return true;  // paced, not refused: the cap below decides refusals
  }
  auto deadline = std::chrono::steady_clock::now() + options_.backlog_wait;
  asio::steady_timer t(ioc_);
  while (std::chrono::steady_clock::now() < deadline) {
    t.expires_after(kAdmitPoll);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!over_cap()) co_return true;
  }
  co_return false;
}

asio::awaitable<bool> LedgerLog::wait_applied(uint64_t seq, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer t(ioc_);
  while (applied_seq_ < seq && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(5));
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return applied_seq_ >= seq;
}

asio::awaitable<bool> LedgerLog::intent(const wire::RecordRequest& r, Money held, int64_t prompt_tokens,
                                        int64_t output_tokens) {
  if (closed_ || log_->failing()) co_return false;
  std::string rest = wire::intent_record(r, held, prompt_tokens, output_tokens);
  open_intents_.insert_or_assign(std::string(r.key), rest);
  uint64_t seq = append(std::move(rest), Money::zero(), {}, {}, {}, /*shipped=*/false);
  if (co_await written(seq)) co_return true;
  // Not in the kernel: the request will not be forwarded. Its release follows the intent, so
  // whenever the two are written, nothing is billed for it.
  forget_intent(r.key);
  append(wire::release_record(r, {}));
  co_return false;
}

asio::awaitable<void> LedgerLog::settle(const wire::RecordRequest& r, Money actual, Money held, int64_t prompt_tokens,
                                        int64_t completion_tokens, const wire::RecordEvent& e) {
  forget_intent(r.key);
  uint64_t seq = append(wire::settle_record(r, actual, held, prompt_tokens, completion_tokens, false, e), actual, r.team,
                        r.group, r.request_id);
  co_await written(seq);
}

asio::awaitable<void> LedgerLog::release(const wire::RecordRequest& r, const wire::RecordEvent& e) {
  forget_intent(r.key);
  uint64_t seq = append(wire::release_record(r, e));
  co_await written(seq);
}

asio::awaitable<void> LedgerLog::event(std::string_view team, std::string_view group, const wire::RecordEvent& e) {
  if (drops_events()) co_return;
  uint64_t seq = append(wire::event_record(team, group, e));
  co_await written(seq);
}

void LedgerLog::push_event(std::string json) {
  if (drops_events()) return;
  std::string id, type = "decision", team, group;
  try {
    thread_local simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    auto doc = parser.iterate(padded);
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key().value();
      auto v = f.value();
      if (v.is_null()) continue;
      if (k == "id") id = std::string(v.get_string().value());
      else if (k == "type") type = std::string(v.get_string().value());
      else if (k == "team_id") team = std::string(v.get_string().value());
      else if (k == "consumer_group") group = std::string(v.get_string().value());
    }
  } catch (const simdjson::simdjson_error&) {
    spdlog::error("an event that is not a JSON object was not recorded");
    return;
  }
  if (id.empty()) id = new_id("evt_");
  append(wire::event_record(team, group, wire::RecordEvent{id, type, now_unix_micros(), json}));
}

void LedgerLog::lease_granted(std::string_view lease, std::string_view team, Money amount) {
  open_leases_[std::string(lease)] = std::string(team);
  append(wire::lease_record(lease, team, amount), Money::zero(), {}, {}, {}, /*shipped=*/false);
}

void LedgerLog::lease_returned(std::string_view lease, std::string_view team) {
  open_leases_.erase(std::string(lease));
  append(wire::lease_return_record(lease, team));
}

void LedgerLog::carry_forward() {
  // Older segments may be deleted once applied: what is still open must be in the new one too.
  for (const auto& [key, rest] : open_intents_) append(rest, Money::zero(), {}, {}, {}, /*shipped=*/false);
  for (const auto& [lease, team] : open_leases_)
    append(wire::lease_record(lease, team, Money::zero()), Money::zero(), {}, {}, {}, /*shipped=*/false);
}

std::vector<ledger::TeamPending> LedgerLog::pending_after(uint64_t through) const {
  auto left = pending_;
  for (const auto& u : unapplied_) {
    if (u.seq > through) break;
    if (u.team.empty()) continue;
    auto& p = left[u.team];
    p.first -= u.amount;
    --p.second;
  }
  std::vector<ledger::TeamPending> out;
  for (const auto& [team, p] : left)
    if (p.second > 0) out.push_back({team, p.first, p.second});
  return out;
}

void LedgerLog::applied_through(uint64_t seq, const AppliedTeam& on_team) {
  struct Last {
    Money settled;
    std::string group, request_id;
  };
  std::map<std::string, Last> teams;
  while (!unapplied_.empty() && unapplied_.front().seq <= seq) {
    auto& u = unapplied_.front();
    applied_bytes_ += u.bytes;
    if (u.shipped) --unapplied_records_;
    if (!u.team.empty()) {
      auto it = pending_.find(u.team);
      if (it != pending_.end()) {
        it->second.first -= u.amount;
        if (--it->second.second <= 0) pending_.erase(it);
      }
      auto& t = teams[u.team];
      t.settled += u.amount;
      t.group = std::move(u.group);
      t.request_id = std::move(u.request_id);
    }
    unapplied_.pop_front();
  }
  if (seq > applied_seq_) applied_seq_ = seq;
  log_->release_through(applied_seq_);
  if (on_team)
    for (const auto& [team, t] : teams) on_team(team, t.settled, t.group, t.request_id);
}

void LedgerLog::close() {
  if (closed_) return;
  std::vector<LoggedIntent> open;
  std::deque<std::string> scratch;
  for (const auto& [key, rest] : open_intents_) {
    ledger::LogRecord r;
    scratch.clear();
    wire::decode_record(rest, r, scratch);
    open.push_back(logged_intent(r));
  }
  open_intents_.clear();
  for (const auto& i : open)
    append(settle_at_reservation(i, "the gateway stopped before this request's answer was recorded: billed at what it held"),
           i.held, i.team, i.group, i.request_id);
  append(wire::close_record());
  closed_ = true;
  flush_now();
}

}  // namespace kt::gateway
