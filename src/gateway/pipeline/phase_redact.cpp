// Phase 4, action "redact": the matched phrases of the request are replaced by
// "[REDACTED:<category>]" before the body goes upstream. Only string values change (through a
// Boost.JSON edit of the body); the body is then read again, so the prompt estimate, the price
// and the reservation are those of what is actually sent. The event records the policy, its
// categories and decision "redact", never the text.
#include <boost/json.hpp>

#include "gateway/pipeline/phases.hpp"

namespace kt::gateway {
namespace {

using Redactors = std::vector<const policies::RequestPolicy*>;

// Rewrites every string value that a redactor matches (top-level "model" is a name, not text).
void redact_strings(boost::json::value& v, const Redactors& redactors, bool top_level) {
  if (auto* obj = v.if_object()) {
    for (auto& member : *obj)
      if (!(top_level && member.key() == "model")) redact_strings(member.value(), redactors, false);
  } else if (auto* arr = v.if_array()) {
    for (auto& item : *arr) redact_strings(item, redactors, false);
  } else if (auto* str = v.if_string()) {
    std::optional<std::string> text;
    for (const auto* r : redactors)
      if (auto out = r->redact(text ? std::string_view(*text) : std::string_view(*str))) text = std::move(out);
    if (text) *str = *text;
  }
}

}  // namespace

std::optional<Rejection> redact_request(RequestContext& ctx, const Redactors& redactors) {
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(ctx.req.body, ec);
  if (ec) return rejection(bad_request("invalid_json", "request body is not valid JSON"), "invalid_request");
  redact_strings(body, redactors, true);
  ctx.req.body = boost::json::serialize(body);
  ctx.redacted = true;
  ctx.decision = "redact";
  ctx.reason = "redacted";
  ctx.clear_parsed();
  return parse_route_request(ctx);
}

}  // namespace kt::gateway
