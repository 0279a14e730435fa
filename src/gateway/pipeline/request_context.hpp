#pragma once
// Everything one request carries through the pipeline's phases.
#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "core/money.hpp"
#include "gateway/caller.hpp"
#include "gateway/metrics/counters.hpp"
#include "gateway/rate_limits/rate_admission.hpp"
#include "http/types.hpp"
#include "ledger/store_types.hpp"
#include "policies/policy.hpp"
#include "providers/provider.hpp"

namespace kt::gateway {

struct ChatMessage {
  std::string role, content, name;
};

// A refusal from a phase: the status and the finished error body, plus the event's reason.
struct Rejection {
  int status = 400;
  std::string body;
  std::string reason;  // budget_exceeded, policy_violation, invalid_request, ...
  std::string retry_after;  // seconds, for a Retry-After header (503 ledger_backlog, 429)
};

// One upstream attempt of a request (retries and fallbacks: pipeline.cpp, attempt_plan.hpp).
struct AttemptRecord {
  int attempt = 1;  // the reservation key's suffix
  std::string target, model;
  int status = 0;       // what that attempt got (502 for a timeout or connect error)
  std::string outcome;  // "ok", "upstream_status_500", "upstream_timeout", ...
  bool charged = false; // only the attempt that produced the answer is settled
};

// One try at an answer: the target and model it asks, its price and hold, and what came back. A
// retry or a fallback starts from a fresh Attempt (RequestContext::next_attempt), so nothing of a
// failed attempt's hold or answer can leak into the next one.
struct Attempt {
  int number = 1;  // the hold's key suffix (request_id:number); a clamp or a second reserve counts too
  const providers::ResolvedTarget* target = nullptr;
  const providers::Provider* provider = nullptr;
  std::string model;
  std::optional<int64_t> max_tokens;
  std::optional<int64_t> max_tokens_clamped;  // set when the gateway lowered it to fit the wallet

  // price & hold
  std::optional<ledger::PricingRow> price;
  int64_t prompt_estimate = 0, output_allowance = 0;
  Money estimate;
  bool reserved = false;
  // Held in-process against this worker's budget lease (budget_leases.hpp) rather than reserved
  // at the API; `reserved` is true either way.
  std::optional<std::string> lease_id;
  Money lease_held;
  // The attempt's intent is in the ledger log: its end (settle or release) must follow it there.
  bool intent_logged = false;

  // the answer
  int upstream_status = 0;
  std::optional<providers::Usage> usage;
  std::string usage_source = "provider";
  int status = 200;
  std::string decision = "allow";
  std::string reason = "ok";
};

// The request, with its current attempt as a base: phases read ctx.price, ctx.model as before,
// and the pipeline replaces the attempt whole (begin_attempt) for a retry or a fallback.
struct RequestContext : Attempt {
  explicit RequestContext(http::Request& r) : req(r), started_mono_us(metrics::mono_us()) {}
  http::Request& req;
  std::string request_id;
  int64_t started_us = 0;
  int64_t started_mono_us;  // for /metrics' durations (the monotonic clock)
  std::string route = "/v1/chat/completions";
  providers::Route route_kind = providers::Route::chat;

  // authenticate
  const config::ConsumerGroup* group = nullptr;
  std::shared_ptr<const ApiKeyGrant> api_key;  // a key made through the API (null: the config's)

  // parse (model and max_tokens: the first attempt's, in Attempt)
  bool stream = false;
  bool client_wants_usage = false;  // stream_options.include_usage from the client
  bool has_stream_options = false;
  int64_t choices = 1;  // "n"
  std::vector<ChatMessage> messages;
  bool plain_prompt = false;  // completions, embeddings: text prompts, no chat message overhead
  bool input_only = false;    // embeddings: input cost only, no output reserved
  std::string body_user;      // the OpenAI "user" field, unchecked (phase_attribution.cpp reads it)

  // attribution (phase_attribution.cpp): who asked, checked and bounded, for the decision event
  std::string end_user;
  std::vector<std::string> tags;

  // request policies
  std::vector<policies::PolicyVerdict> verdicts;
  bool redacted = false;  // a redact policy rewrote the body (the decision is then "redact")
  // Redact policies that also redact the streamed answer (phase_stream.cpp).
  std::vector<const policies::RequestPolicy*> output_redactors;
  // What they redacted in the answer: per policy, the labels (never the text).
  std::vector<std::pair<std::string, std::vector<std::string>>> output_redactions;
  // mode: shadow: the refusals that were only recorded (docs/traffic.md "Shadow mode"): where from
  // ("policy:NAME", "rate_limit:BOUND", "budget_alert:PERCENT") and the reason code they carry.
  struct ShadowBlock {
    std::string source, reason;
  };
  std::vector<ShadowBlock> would_block;

  // rate limits (rate_limits/): what this request took, the bound that refused it, and the
  // x-ratelimit-* headers its answer carries (response_headers: true)
  std::optional<RateAdmission> rate_admission, key_rate_admission;  // the group's, the API key's own
  std::string rate_limit;
  bool rate_limit_of_key = false;  // the bound that refused it was the key's own
  http::Headers rate_headers;

  // price & hold, across attempts
  uint16_t metric_model = 0;  // the model's label id (worker_metrics.hpp): none until priced
  std::optional<ledger::Balance> balance;
  std::vector<std::string> warnings;
  // A budget refusal, for its decision event (explain-why): the store's verdict (insufficient,
  // blocked, no_wallet; `balance` is the wallet it saw), the block threshold, and the largest
  // max_tokens per choice that would have fit (0: not even the prompt).
  const char* budget_refusal = nullptr;
  int block_at_percent = 0;
  std::optional<int64_t> max_tokens_that_fit;

  // upstream, across attempts
  int64_t upstream_us = 0;
  int64_t upstream_total_us = 0;  // every attempt's upstream time (monotonic), for /metrics
  int64_t first_token_us = 0;     // streams: first events out, from the start (monotonic)
  bool client_disconnected = false;

  // outcome
  std::optional<Money> cost;

  // budget-aware limits (on_insufficient: clamp) and stream cut at the reservation
  std::optional<int64_t> max_tokens_requested;  // the client's value (null: none given)
  bool stream_cut_at_reservation = false;
  // retries, fallbacks, idempotence
  std::vector<AttemptRecord> attempts;
  std::string model_requested;     // the client's model, when a fallback answered with another
  std::string idempotency_key;     // the client's Idempotency-Key header
  std::string replay_of;           // request id whose answer was replayed
  // response cache (cache/): hit, miss or bypass (empty: the cache is off); a hit's first cost
  std::string cache;
  std::optional<Money> cost_saved;

  // Forgets what phase 1 read, so the body can be read again after a policy rewrote it.
  void clear_parsed() {
    model.clear();
    stream = client_wants_usage = has_stream_options = plain_prompt = input_only = false;
    max_tokens.reset();
    choices = 1;
    messages.clear();
    body_user.clear();
  }

  // The attempt after this one, on `target` for `model`: no price, no hold, no answer yet, the
  // client's max_tokens, and the request's decision as its policies left it.
  Attempt next_attempt(const providers::ResolvedTarget* target, const providers::Provider* provider,
                       std::string model) const {
    Attempt a;
    a.number = number + 1;
    a.target = target;
    a.provider = provider;
    a.model = std::move(model);
    a.max_tokens = max_tokens_requested;
    if (redacted) {
      a.decision = "redact";
      a.reason = "redacted";
    }
    return a;
  }
  void begin_attempt(Attempt a) { static_cast<Attempt&>(*this) = std::move(a); }
  // What the decision event lists of the current attempt.
  AttemptRecord record() const {
    return {number, target ? target->config.id : "", model, status, reason, false};
  }

  std::string reservation_key() const { return request_id + ":" + std::to_string(number); }
};

}  // namespace kt::gateway
