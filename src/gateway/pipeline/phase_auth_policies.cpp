// Phases 0 and 4: who is calling, and what the request policies say about it.
#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {

Rejection rejection(const ApiError& e, std::string reason) { return {e.status, error_envelope(e), std::move(reason), {}}; }

std::optional<Rejection> authenticate(const http::Request& req, const GatewayShared& shared, Caller& caller) {
  const config::ConsumerGroup*& group = caller.group;
  std::string_view key;
  if (auto h = req.header("x-consumer-group")) {
    key = *h;
  } else if (auto a = req.header("authorization"); a && a->size() > 7 &&
                                                   (a->substr(0, 7) == "Bearer " || a->substr(0, 7) == "bearer ")) {
    key = a->substr(7);
  }
  group = key.empty() ? nullptr : shared.consumer_keys.find(key);
  // A key made through the API is never served by the default group: once revoked, it is refused.
  if (!group && looks_like_api_key(key)) {
    auto found = shared.api_keys ? shared.api_keys->find(key) : ApiKeyTable::Lookup{};
    group = found.group;
    caller.key = std::move(found.key);
    if (group) return std::nullopt;
    if (!found.unconfigured_group.empty())
      return rejection(unauthorized("this consumer key belongs to consumer group '" + found.unconfigured_group +
                                    "', which this gateway's config does not have"),
                       "unauthorized");
    return rejection(unauthorized("unknown, revoked or expired consumer key"), "unauthorized");
  }
  if (!group) group = shared.consumer_keys.fallback();  // the default group, when configured
  if (group) return std::nullopt;
  if (key.empty())
    return rejection(unauthorized("missing consumer key: send X-Consumer-Group: <key> or Authorization: Bearer <key>"),
                     "unauthorized");
  return rejection(unauthorized("unknown consumer key"), "unauthorized");
}

std::optional<Rejection> check_allowed_model(const RequestContext& ctx) {
  if (ctx.group->allows_model(ctx.model)) return std::nullopt;
  return rejection(ApiError{403, "permission_error", "model_not_allowed",
                            "model '" + ctx.model + "' is not allowed for consumer group '" + ctx.group->name + "'"},
                   "model_not_allowed");
}

std::optional<Rejection> run_request_policies(RequestContext& ctx, const GatewayShared& shared) {
  if (shared.policies.empty()) return std::nullopt;
  policies::PolicyInput input;
  input.texts.reserve(ctx.messages.size());
  for (const auto& m : ctx.messages) input.texts.emplace_back(m.content);
  policies::PolicyDecision d = policies::decide(shared.policies, input);
  for (const auto& v : d.verdicts)
    if (v.triggered && v.shadow && v.action == "block") ctx.would_block.push_back({"policy:" + v.policy_name, "policy_violation"});
  if (const auto* v = d.blocked_by) {
    std::string cats;
    for (const auto& c : v->categories) cats += (cats.empty() ? "" : ", ") + c;
    for (const auto& p : v->patterns) cats += (cats.empty() ? "" : ", ") + p;
    ApiError e{409, "policy_violation", "input_blocked", "Request blocked by policy '" + v->policy_name + "' (" + cats + ")"};
    std::string name = v->policy_name;
    ctx.verdicts = std::move(d.verdicts);
    return Rejection{409, error_envelope(e, [&](JsonWriter& w) { w.field("policy", name); }), "policy_violation", {}};
  }
  ctx.verdicts = std::move(d.verdicts);
  // Every redact policy also filters the answer's stream; the request's text only when it matched.
  for (std::size_t i = 0; i < ctx.verdicts.size(); ++i)  // parallel to shared.policies when nothing blocked
    if (ctx.verdicts[i].action == "redact" && !ctx.verdicts[i].shadow) ctx.output_redactors.push_back(shared.policies[i].get());
  // Every policy has seen the client's text; the upstream sees it redacted.
  if (!d.redactors.empty()) return redact_request(ctx, d.redactors);
  return std::nullopt;
}

}  // namespace kt::gateway
