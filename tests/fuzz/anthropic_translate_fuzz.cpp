// JSON text through the Anthropic non-stream translation, both ways: as a Messages answer (to a
// chat.completion, and read in place for native /v1/messages) and as a chat request (to a Messages
// request). The first byte sets whether the route gives an output cap. Invariants: each side
// throws only for text that is not JSON, writes JSON, reads a billable usage, and the native
// answer leaves unchanged.
#include <string>

#include "fuzz_support.hpp"
#include "providers/anthropic/anthropic_translate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  namespace anthropic = kt::providers::anthropic;
  kt::providers::RouteInfo info;
  info.route = kt::providers::Route::chat;
  info.model = "claude-3-5-haiku";
  info.max_output_tokens = (data[0] & 1) ? 1024 : 0;
  info.created = 1767225600;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool json = kt::fuzz::is_json(text);

  try {
    auto chat = anthropic::messages_to_chat_response(text, info);
    KT_FUZZ_CHECK(kt::fuzz::is_json(chat.body), "the translated answer is JSON");
    KT_FUZZ_CHECK(!chat.usage || kt::fuzz::billable(*chat.usage), "the translated answer's usage is billable");
  } catch (const simdjson::simdjson_error&) {
    KT_FUZZ_CHECK(!json, "a JSON answer translates without an error");
  }

  auto native = anthropic::read_messages_response(text);
  KT_FUZZ_CHECK(native.body == text, "a native answer is passed on unchanged");
  KT_FUZZ_CHECK(!native.usage || kt::fuzz::billable(*native.usage), "a native answer's usage is billable");

  try {
    KT_FUZZ_CHECK(kt::fuzz::is_json(anthropic::chat_to_messages_request(text, info)), "the Messages request is JSON");
  } catch (const simdjson::simdjson_error&) {
    KT_FUZZ_CHECK(!json, "a JSON chat request translates without an error");
  }
  return 0;
}
