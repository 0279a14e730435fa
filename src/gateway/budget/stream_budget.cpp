#include "gateway/budget/stream_budget.hpp"

#include "core/error.hpp"
#include "gateway/pipeline/token_counting.hpp"

namespace kt::gateway {

StreamBudget::StreamBudget(const RequestContext& ctx, const GatewayShared& shared)
    : shared_(shared),
      model_(ctx.model),
      // With a client max_tokens (or a clamped one) the upstream stops itself within the reservation.
      active_(ctx.reserved && ctx.price.has_value() && !ctx.max_tokens && ctx.output_allowance > 0),
      limit_(ctx.output_allowance) {}

bool StreamBudget::exceeded_by(std::string_view text) {
  if (!active_ || text.empty()) return false;
  seen_ += count_text_tokens(shared_, model_, std::string(text));
  return seen_ > limit_;
}

std::string StreamBudget::cut_events() {
  ApiError e{402, "budget_exceeded", "stream_cut_at_reservation",
             "the answer reached the output its budget reservation covers; the stream was cut"};
  return "data: " + error_envelope(e) + "\n\ndata: [DONE]\n\n";
}

void StreamBudget::record_cut(RequestContext& ctx) {
  ctx.stream_cut_at_reservation = true;
  ctx.reason = "stream_cut_at_reservation";
  ctx.usage = providers::Usage{ctx.prompt_estimate, ctx.output_allowance};
  ctx.usage_source = "estimated";
  ctx.warnings.push_back("stream cut at its reservation (" + std::to_string(ctx.output_allowance) + " output tokens)");
}

}  // namespace kt::gateway
