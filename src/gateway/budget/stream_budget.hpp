#pragma once
// A stream whose client gave no max_tokens has a reservation sized on the model's output cap.
// StreamBudget counts the completion tokens as they stream (the tokenizer, per event: cheap, and
// never under the whole-text count) and says when the output would pass what the reservation
// covers; the relay then ends the stream with a final SSE error event and bills the reservation.
#include <string>
#include <string_view>

#include "gateway/gateway_shared.hpp"
#include "gateway/pipeline/request_context.hpp"

namespace kt::gateway {

class StreamBudget {
 public:
  StreamBudget(const RequestContext& ctx, const GatewayShared& shared);
  // Adds one event's generated text; true when the output would exceed the reservation (the
  // event carrying it must not reach the client).
  bool exceeded_by(std::string_view text);
  // The bytes that end a cut stream: an error event, then [DONE].
  static std::string cut_events();
  // Records the cut: the provider produced at least what was reserved, so that is what is billed.
  static void record_cut(RequestContext& ctx);

 private:
  const GatewayShared& shared_;
  const std::string& model_;
  bool active_;
  int64_t limit_ = 0, seen_ = 0;
};

}  // namespace kt::gateway
