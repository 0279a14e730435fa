// An Anthropic Messages stream (SSE bytes) through both stream translators: native /v1/messages
// (passed through, usage read) and /v1/chat/completions (translated to OpenAI chunks). The first
// byte sets whether the client asked for the usage chunk. Invariants: the native stream leaves
// byte for byte; every translated event is a whole `data:` event holding JSON or [DONE]; a usage
// read from the stream is billable (fuzz_support.hpp).
#include <string>

#include "fuzz_support.hpp"
#include "http/sse.hpp"
#include "providers/anthropic/anthropic_streams.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  kt::providers::RouteInfo info;
  info.route = kt::providers::Route::chat;
  info.model = "claude-3-5-haiku";
  info.stream = true;
  info.client_wants_usage = (data[0] & 1) != 0;
  info.created = 1767225600;

  kt::http::SseParser upstream;
  const auto events = upstream.feed(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  kt::providers::anthropic::MessagesStream native;
  kt::providers::anthropic::ChatFromMessagesStream chat(info);
  std::string native_out, chat_out, raw;
  for (const auto& ev : events) {
    raw += ev.raw;
    native.on_event(ev, native_out);
    chat.on_event(ev, chat_out);
  }
  KT_FUZZ_CHECK(native_out == raw, "the native stream passes every event through unchanged");

  kt::http::SseParser client;
  for (const auto& ev : client.feed(chat_out)) {
    KT_FUZZ_CHECK(ev.event.empty(), "translated events are plain data events");
    KT_FUZZ_CHECK(ev.data == "[DONE]" || kt::fuzz::is_json(ev.data), "each translated event's data is JSON or [DONE]");
  }
  KT_FUZZ_CHECK(client.pending().empty(), "the translated stream ends on an event boundary");
  for (const auto* t : {static_cast<const kt::providers::StreamTranslator*>(&native),
                        static_cast<const kt::providers::StreamTranslator*>(&chat)})
    if (const auto& u = t->usage()) KT_FUZZ_CHECK(kt::fuzz::billable(*u), "a stream's usage is billable");
  return 0;
}
