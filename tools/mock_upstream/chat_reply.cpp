#include "chat_reply.hpp"

#include "core/json_writer.hpp"

namespace kt::mock {
namespace {

constexpr std::string_view kHaiku = "Servers hum softly\nData drifts through endless sky\nThe cloud holds our dreams";
constexpr size_t kWordsPerChunk = 8;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// "a b\nc" -> {"a ", "b\n", "c"}
std::vector<std::string> split_pieces(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> filler(std::string_view word, int64_t count) {
  std::vector<std::string> out(static_cast<size_t>(count), std::string(word) + " ");
  return out;
}

void trim_last(std::vector<std::string>& pieces) {
  if (pieces.empty()) return;
  auto& last = pieces.back();
  while (!last.empty() && is_space(last.back())) last.pop_back();
}

void write_usage(JsonWriter& w, const ChatPlan& plan, const Directives& d) {
  w.key("usage").begin_object();
  w.field("prompt_tokens", plan.prompt_tokens)
      .field("completion_tokens", plan.completion_tokens)
      .field("total_tokens", plan.prompt_tokens + plan.completion_tokens);
  if (d.cached_tokens) w.key("prompt_tokens_details").begin_object().field("cached_tokens", *d.cached_tokens).end_object();
  if (d.reasoning_tokens)
    w.key("completion_tokens_details").begin_object().field("reasoning_tokens", *d.reasoning_tokens).end_object();
  w.end_object();
}

void begin_chunk(JsonWriter& w, const StreamIds& ids) {
  w.begin_object()
      .field("id", ids.id)
      .field("object", "chat.completion.chunk")
      .field("created", ids.created)
      .field("model", ids.model)
      .field("system_fingerprint", "fp_mock");
}

std::string as_event(const JsonWriter& w) { return "data: " + w.str() + "\n\n"; }

// A chunk with one choice whose delta is written by `delta`.
template <class F>
std::string choice_chunk(const StreamIds& ids, F delta, std::string_view finish_reason) {
  JsonWriter w;
  begin_chunk(w, ids);
  w.key("choices").begin_array().begin_object().field("index", 0).key("delta").begin_object();
  delta(w);
  w.end_object().key("logprobs").null().key("finish_reason");
  if (finish_reason.empty()) w.null();
  else w.value(finish_reason);
  w.end_object().end_array();
  if (ids.include_usage) w.key("usage").null();
  w.end_object();
  return as_event(w);
}

}  // namespace

std::string ChatPlan::content() const {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

ChatPlan plan_chat(const ChatRequest& req) {
  ChatPlan plan;
  std::string last_user;
  for (const auto& m : req.messages)
    if (m.role == "user") last_user = lowercase(m.text);
  std::string_view word = "ok";
  if (last_user.find("haiku") != std::string::npos) {
    plan.pieces = split_pieces(kHaiku);
    plan.prompt_tokens = 14;
    plan.completion_tokens = 25;
  } else {
    if (last_user.find("long essay") != std::string::npos) {
      word = "word";
      plan.completion_tokens = 8000;
    } else {
      plan.completion_tokens = 20;
    }
    plan.pieces = filler(word, plan.completion_tokens);
    plan.prompt_tokens = 3;
    for (const auto& m : req.messages) plan.prompt_tokens += 4 + static_cast<int64_t>(count_words(m.text));
  }
  const auto& d = req.directives;
  if (d.completion_tokens) {
    plan.completion_tokens = *d.completion_tokens;
    plan.pieces = filler(word, plan.completion_tokens);
  }
  if (!d.say.empty()) {
    plan.pieces.clear();
    for (size_t i = 0; i < d.say.size(); i += 3) plan.pieces.push_back(d.say.substr(i, 3));
    plan.completion_tokens = static_cast<int64_t>(count_words(d.say));
  }
  if (d.prompt_tokens) plan.prompt_tokens = *d.prompt_tokens;
  if (req.max_tokens && plan.completion_tokens > *req.max_tokens) {
    plan.completion_tokens = *req.max_tokens;
    plan.finish_reason = "length";
    if (plan.pieces.size() > static_cast<size_t>(plan.completion_tokens))
      plan.pieces.resize(static_cast<size_t>(plan.completion_tokens));
  }
  trim_last(plan.pieces);
  return plan;
}

std::string chat_completion_json(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids) {
  JsonWriter w;
  w.begin_object()
      .field("id", ids.id)
      .field("object", "chat.completion")
      .field("created", ids.created)
      .field("model", req.model);
  w.key("choices").begin_array().begin_object().field("index", 0);
  w.key("message").begin_object().field("role", "assistant").field("content", plan.content()).key("refusal").null().end_object();
  w.key("logprobs").null().field("finish_reason", plan.finish_reason).end_object().end_array();
  if (!req.directives.no_usage) write_usage(w, plan, req.directives);
  w.field("system_fingerprint", "fp_mock");
  w.end_object();
  return w.take();
}

std::string text_completion_json(const CompletionRequest& req, const ChatPlan& plan, const StreamIds& ids) {
  JsonWriter w;
  w.begin_object()
      .field("id", ids.id)
      .field("object", "text_completion")
      .field("created", ids.created)
      .field("model", req.model);
  w.key("choices").begin_array().begin_object().field("text", plan.content()).field("index", 0);
  w.key("logprobs").null().field("finish_reason", plan.finish_reason).end_object().end_array();
  if (!req.directives.no_usage) write_usage(w, plan, req.directives);
  w.end_object();
  return w.take();
}

std::vector<std::string> group_pieces(const std::vector<std::string>& pieces, size_t per_group) {
  std::vector<std::string> out;
  for (size_t i = 0; i < pieces.size(); i += per_group) {
    std::string text;
    for (size_t j = i; j < std::min(pieces.size(), i + per_group); ++j) text += pieces[j];
    out.push_back(std::move(text));
  }
  return out;
}

std::vector<std::string> reasoning_pieces(const Directives& d) {
  std::vector<std::string> out(static_cast<size_t>(d.reasoning_words), "think ");
  return out;
}

std::vector<std::string> tool_argument_pieces(const ChatPlan& plan) {
  std::vector<std::string> out{R"({"text":")"};
  for (const auto& p : plan.pieces) out.push_back(p);
  out.push_back(R"("})");
  return out;
}

std::vector<std::string> chat_stream_events(const ChatRequest& req, const ChatPlan& plan, const StreamIds& ids) {
  std::vector<std::string> events;
  events.reserve(plan.pieces.size() / kWordsPerChunk + 5);
  events.push_back(choice_chunk(
      ids, [](JsonWriter& w) { w.field("role", "assistant").field("content", ""); }, ""));
  for (const auto& text : group_pieces(reasoning_pieces(req.directives), kWordsPerChunk))
    events.push_back(choice_chunk(ids, [&](JsonWriter& w) { w.field("reasoning_content", text); }, ""));
  if (req.directives.tool_calls) {
    // The first chunk names the call; the arguments follow in pieces, as OpenAI streams them.
    auto call = [&](JsonWriter& w, bool first, std::string_view arguments) {
      w.key("tool_calls").begin_array().begin_object().field("index", 0);
      if (first) w.field("id", "call_mock_1").field("type", "function");
      w.key("function").begin_object();
      if (first) w.field("name", "get_report");
      w.field("arguments", arguments).end_object().end_object().end_array();
    };
    events.push_back(choice_chunk(ids, [&](JsonWriter& w) { call(w, true, ""); }, ""));
    for (const auto& args : group_pieces(tool_argument_pieces(plan), kWordsPerChunk))
      events.push_back(choice_chunk(ids, [&](JsonWriter& w) { call(w, false, args); }, ""));
  } else {
    for (const auto& text : group_pieces(plan.pieces, kWordsPerChunk)) {
      events.push_back(choice_chunk(ids, [&](JsonWriter& w) { w.field("content", text); }, ""));
      if (req.directives.oversized_event && events.size() == 2)
        events.push_back(choice_chunk(ids, [](JsonWriter& w) { w.field("content", std::string(1536 * 1024, 'x')); }, ""));
    }
  }
  events.push_back(choice_chunk(ids, [](JsonWriter&) {}, req.directives.tool_calls ? "tool_calls" : plan.finish_reason));
  if (ids.include_usage && !req.directives.no_usage) {
    JsonWriter w;
    begin_chunk(w, ids);
    w.key("choices").begin_array().end_array();
    write_usage(w, plan, req.directives);
    w.end_object();
    events.push_back(as_event(w));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string openai_error(std::string_view message, std::string_view type) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("message", message).field("type", type).key("param").null().key("code").null();
  w.end_object().end_object();
  return w.take();
}

}  // namespace kt::mock
