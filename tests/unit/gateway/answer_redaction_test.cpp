// Redaction of answers on every text route (stream_redact.hpp, answer_texts.hpp): whole answers
// have their text fields rewritten and nothing else; a stream cut anywhere, fed in any grouping of
// events, joins to the whole text redacted at once, and the events that repeat the whole text
// carry it redacted.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>

#include "gateway/pipeline/stream_redact.hpp"
#include "policies/content_filter/content_filter.hpp"

namespace kt::gateway {
namespace {

namespace json = boost::json;
using providers::Route;

policies::ContentFilter scrub() {
  return policies::ContentFilter(policies::ContentFilter::Options{
      "scrub", "redact", {"violence"}, "medium", {{"ssn", R"(\b\d{3}-\d{2}-\d{4}\b)"}}});
}

const std::string kText = "Well, sure. I will kill you tomorrow. My ssn: 123-45-6789, and the build is green.";
const std::string kRedacted = "Well, sure. [REDACTED:violence] tomorrow. My ssn: [REDACTED:ssn], and the build is green.";
const OutputRedactions kLabels = {{"scrub", {"violence", "ssn"}}};

std::string sse(std::string_view name, const json::value& data) {
  return (name.empty() ? std::string() : "event: " + std::string(name) + "\n") + "data: " + json::serialize(data) + "\n\n";
}

// The events of a streamed answer whose text comes in `pieces`, per route.
std::vector<std::string> stream_events(Route route, const std::vector<std::string>& pieces, const std::string& whole) {
  std::vector<std::string> ev;
  switch (route) {
    case Route::chat:
      ev.push_back(sse("", {{"id", "c1"}, {"choices", {{{"index", 0}, {"delta", {{"role", "assistant"}}}}}}}));
      for (const auto& p : pieces)
        ev.push_back(sse("", {{"id", "c1"}, {"choices", {{{"index", 0}, {"delta", {{"content", p}}}, {"finish_reason", nullptr}}}}}));
      ev.push_back(sse("", {{"id", "c1"}, {"choices", {{{"index", 0}, {"delta", json::object{}}, {"finish_reason", "stop"}}}}}));
      ev.push_back("data: [DONE]\n\n");
      break;
    case Route::responses:
      ev.push_back(sse("response.created", {{"type", "response.created"}, {"response", {{"output", json::array{}}}}}));
      for (const auto& p : pieces)
        ev.push_back(sse("response.output_text.delta", {{"type", "response.output_text.delta"}, {"item_id", "m1"},
                                                        {"output_index", 0}, {"content_index", 0}, {"delta", p}}));
      ev.push_back(sse("response.output_text.done", {{"type", "response.output_text.done"}, {"item_id", "m1"},
                                                     {"output_index", 0}, {"content_index", 0}, {"text", whole}}));
      ev.push_back(sse("response.content_part.done", {{"type", "response.content_part.done"},
                                                      {"part", {{"type", "output_text"}, {"text", whole}}}}));
      ev.push_back(sse("response.completed",
                       {{"type", "response.completed"},
                        {"response", {{"output", {{{"type", "message"}, {"content", {{{"type", "output_text"}, {"text", whole}}}}}}},
                                      {"usage", {{"output_tokens", 20}}}}}}));
      break;
    case Route::messages:
      ev.push_back(sse("message_start", {{"type", "message_start"}, {"message", {{"content", json::array{}}}}}));
      ev.push_back(sse("content_block_start", {{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "text"}, {"text", ""}}}}));
      for (const auto& p : pieces)
        ev.push_back(sse("content_block_delta", {{"type", "content_block_delta"}, {"index", 0}, {"delta", {{"type", "text_delta"}, {"text", p}}}}));
      ev.push_back(sse("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
      ev.push_back(sse("message_delta", {{"type", "message_delta"}, {"usage", {{"output_tokens", 20}}}}));
      ev.push_back(sse("message_stop", {{"type", "message_stop"}}));
      break;
    default: break;
  }
  return ev;
}

// What the client reads: the streamed text joined, and every whole text the events repeat.
struct Read {
  std::string joined;
  std::vector<std::string> repeats;
};

Read read_stream(Route route, const std::string& stream) {
  Read r;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    std::size_t end = stream.find("\n\n", pos);
    std::string block = stream.substr(pos, end - pos);
    pos = end + 2;
    std::size_t data_at = block.find("data: ");
    std::string data = block.substr(data_at + 6);
    if (data == "[DONE]") continue;
    json::value v = json::parse(data);
    std::string name = block.substr(0, data_at);
    if (route == Route::chat) {
      const json::object& delta = v.at("choices").at(0).at("delta").as_object();
      if (delta.contains("content")) r.joined += json::value_to<std::string>(delta.at("content"));
      continue;
    }
    std::string type = json::value_to<std::string>(v.at("type"));
    if (!name.empty()) EXPECT_EQ(name, "event: " + type + "\n") << "the SSE event name stays with its data";
    if (type == "content_block_delta") r.joined += json::value_to<std::string>(v.at("delta").at("text"));
    if (type == "response.output_text.delta") r.joined += json::value_to<std::string>(v.at("delta"));
    if (type == "response.output_text.done") r.repeats.push_back(json::value_to<std::string>(v.at("text")));
    if (type == "response.content_part.done") r.repeats.push_back(json::value_to<std::string>(v.at("part").at("text")));
    if (type == "response.completed")
      r.repeats.push_back(json::value_to<std::string>(v.at("response").at("output").at(0).at("content").at(0).at("text")));
  }
  return r;
}

// The text cut at random, 1 to 9 bytes a piece.
std::vector<std::string> random_pieces(std::mt19937& rng, const std::string& text) {
  std::vector<std::string> pieces;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = at + std::uniform_int_distribution<std::size_t>(1, 9)(rng);
    // JSON strings hold whole UTF-8 characters: a piece ends between two.
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    pieces.push_back(text.substr(at, end - at));
    at = end;
  }
  return pieces;
}

// The events through a StreamRedaction, several at a time (as the upstream's reads group them).
std::string redact_stream(Route route, const std::vector<std::string>& events, std::mt19937& rng,
                          const policies::RequestPolicy& policy, OutputRedactions* labels = nullptr) {
  StreamRedaction redaction(route, {&policy});
  std::string out;
  for (std::size_t i = 0; i < events.size();) {
    std::size_t n = std::uniform_int_distribution<std::size_t>(1, 4)(rng);
    std::string group;
    for (; n > 0 && i < events.size(); --n) group += events[i++];
    redaction.on_events(group);
    out += group;
  }
  if (labels) *labels = redaction.matched();
  return out;
}

class StreamedAnswer : public ::testing::TestWithParam<Route> {};

TEST_P(StreamedAnswer, JoinedEqualsTheWholeTextRedactedAndRepeatsAreRedacted) {
  auto policy = scrub();
  std::mt19937 rng(20261207);
  const std::vector<std::string> words = {"kill you ", "I will ", "ssn 123-45-6789 ", "987-65-4321", "élan ", "ok. ", "shoot him "};
  for (int round = 0; round < 500; ++round) {
    std::string text;
    for (int w = std::uniform_int_distribution<int>(1, 12)(rng); w > 0; --w)
      text += words[std::uniform_int_distribution<std::size_t>(0, words.size() - 1)(rng)];
    std::string expected = policy.redact(text).value_or(text);
    std::string out = redact_stream(GetParam(), stream_events(GetParam(), random_pieces(rng, text), text), rng, policy);
    Read r = read_stream(GetParam(), out);
    ASSERT_EQ(r.joined, expected) << "round " << round << ": " << text;
    for (const auto& repeated : r.repeats) ASSERT_EQ(repeated, expected) << "a repeat of the whole text";
  }
}

TEST_P(StreamedAnswer, NamesTheLabelsAndNeverShowsTheMatches) {
  auto policy = scrub();
  std::mt19937 rng(7);
  OutputRedactions labels;
  std::string out = redact_stream(GetParam(), stream_events(GetParam(), random_pieces(rng, kText), kText), rng, policy, &labels);
  EXPECT_EQ(read_stream(GetParam(), out).joined, kRedacted);
  EXPECT_EQ(out.find("kill"), std::string::npos) << out;
  EXPECT_EQ(out.find("6789"), std::string::npos) << out;
  EXPECT_EQ(labels, kLabels);
}

INSTANTIATE_TEST_SUITE_P(TextRoutes, StreamedAnswer, ::testing::Values(Route::chat, Route::responses, Route::messages),
                         [](const ::testing::TestParamInfo<Route>& info) {
                           return info.param == Route::chat ? "chat" : info.param == Route::responses ? "responses" : "messages";
                         });

TEST(StreamedAnswer, TextAfterABrokenOffStreamIsDroppedNotShown) {
  auto policy = scrub();
  StreamRedaction redaction(Route::messages, {&policy});
  std::string events = sse("content_block_delta", {{"type", "content_block_delta"}, {"index", 0},
                                                   {"delta", {{"type", "text_delta"}, {"text", "call 123-45-67"}}}});
  redaction.on_events(events);
  EXPECT_EQ(events.find("45-67"), std::string::npos) << events;  // held: it may become an ssn
}

TEST(StreamedAnswer, OtherBlocksAndEventsPassUnchanged) {
  auto policy = scrub();
  StreamRedaction redaction(Route::messages, {&policy});
  std::string thinking = sse("content_block_delta", {{"type", "content_block_delta"}, {"index", 0},
                                                     {"delta", {{"type", "thinking_delta"}, {"thinking", "kill you"}}}});
  std::string events = thinking;
  redaction.on_events(events);
  EXPECT_EQ(events, thinking);  // only text is the answer's text
  StreamRedaction none(Route::embeddings, {&policy});
  EXPECT_FALSE(none.active());
}

TEST(WholeAnswer, RewritesEachRoutesTextFieldsOnly) {
  auto policy = scrub();
  struct Case {
    Route route;
    json::value body;
    std::vector<std::string> path;  // to the text
  };
  std::vector<Case> cases = {
      {Route::chat, {{"choices", {{{"message", {{"role", "assistant"}, {"content", kText}}}}}}, {"usage", {{"total_tokens", 3}}}},
       {"/choices/0/message/content"}},
      {Route::completions, {{"choices", {{{"text", kText}}}}}, {"/choices/0/text"}},
      {Route::responses,
       {{"output", {{{"type", "reasoning"}, {"summary", json::array{}}},
                    {{"type", "message"}, {"content", {{{"type", "output_text"}, {"text", kText}}, {{"type", "refusal"}, {"refusal", "kill you"}}}}}}},
        {"usage", {{"output_tokens", 9}}}},
       {"/output/1/content/0/text"}},
      {Route::messages,
       {{"content", {{{"type", "text"}, {"text", kText}}, {{"type", "tool_use"}, {"input", {{"q", "kill you"}}}}, {{"type", "text"}, {"text", kText}}}}},
       {"/content/0/text", "/content/2/text"}},
  };
  for (auto& c : cases) {
    std::string body = json::serialize(c.body);
    EXPECT_EQ(redact_answer(c.route, body, {&policy}), kLabels) << body;
    json::value after = json::parse(body);
    json::value expected = c.body;
    for (const auto& p : c.path) expected.at_pointer(p) = kRedacted;
    EXPECT_EQ(after, expected) << "only the text fields change: " << body;
  }
  std::string clean = R"({"content":[{"type":"text","text":"all fine"}]})";
  EXPECT_TRUE(redact_answer(Route::messages, clean, {&policy}).empty());
  EXPECT_EQ(clean, R"({"content":[{"type":"text","text":"all fine"}]})");
}

}  // namespace
}  // namespace kt::gateway
