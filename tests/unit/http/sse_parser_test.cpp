#include <gtest/gtest.h>

#include "http/sse.hpp"

using kt::http::SseEvent;
using kt::http::SseParser;

namespace {

std::vector<SseEvent> feed_split(std::string_view text, size_t split) {
  SseParser p;
  auto events = p.feed(text.substr(0, split));
  for (auto& e : p.feed(text.substr(split))) events.push_back(std::move(e));
  return events;
}

std::vector<SseEvent> feed_bytewise(std::string_view text) {
  SseParser p;
  std::vector<SseEvent> events;
  for (char c : text)
    for (auto& e : p.feed(std::string_view(&c, 1))) events.push_back(std::move(e));
  return events;
}

}  // namespace

TEST(SseParser, OpenAiStyleEvents) {
  SseParser p;
  auto events = p.feed("data: {\"a\":1}\n\ndata: [DONE]\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[0].raw, "data: {\"a\":1}\n\n");
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[1].data, "[DONE]");
  EXPECT_TRUE(p.pending().empty());
}

TEST(SseParser, AnthropicStyleEventField) {
  SseParser p;
  auto events = p.feed("event: message_start\ndata: {\"type\":\"message_start\"}\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "message_start");
  EXPECT_EQ(events[0].data, "{\"type\":\"message_start\"}");
}

TEST(SseParser, EverySplitPositionGivesTheSameEvents) {
  const std::string text =
      "event: a\r\ndata: one\r\ndata:two\r\n\r\n: comment\n\ndata: x\rdata:  y\r\rdata: last\n\n";
  auto whole = feed_split(text, text.size());
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[0].event, "a");
  EXPECT_EQ(whole[0].data, "one\ntwo");
  EXPECT_EQ(whole[0].raw, "event: a\r\ndata: one\r\ndata:two\r\n\r\n");
  EXPECT_EQ(whole[1].data, "");  // comment-only event is still returned for pass-through
  EXPECT_EQ(whole[1].raw, ": comment\n\n");
  EXPECT_EQ(whole[2].data, "x\n y");  // only one space after the colon is stripped
  EXPECT_EQ(whole[2].raw, "data: x\rdata:  y\r\r");
  EXPECT_EQ(whole[3].data, "last");
  std::string joined;
  for (auto& e : whole) joined += e.raw;
  EXPECT_EQ(joined, text);

  for (size_t split = 0; split <= text.size(); ++split) {
    auto events = feed_split(text, split);
    ASSERT_EQ(events.size(), whole.size()) << "split at " << split;
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].raw, whole[i].raw) << "split at " << split;
      EXPECT_EQ(events[i].data, whole[i].data) << "split at " << split;
      EXPECT_EQ(events[i].event, whole[i].event) << "split at " << split;
    }
  }
  auto bytewise = feed_bytewise(text);
  ASSERT_EQ(bytewise.size(), whole.size());
  for (size_t i = 0; i < bytewise.size(); ++i) EXPECT_EQ(bytewise[i].raw, whole[i].raw);
}

TEST(SseParser, IncompleteEventStaysPending) {
  SseParser p;
  auto events = p.feed("data: done\n\ndata: partial");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(p.pending(), "data: partial");
  events = p.feed("\n");
  EXPECT_TRUE(events.empty());
  events = p.feed("\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "partial");
  EXPECT_TRUE(p.pending().empty());
}

TEST(SseParser, FieldWithoutColonAndEmptyData) {
  SseParser p;
  auto events = p.feed("data\n\ndata:\ndata:\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[1].data, "\n");
}

TEST(SseParser, LeadingBlankLinesAndBomAreSkipped) {
  SseParser p;
  auto events = p.feed("\xEF\xBB\xBF\n\ndata: a\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a");
  EXPECT_EQ(events[0].raw, "data: a\n\n");
}

TEST(SseParser, AnEventPastTheBoundEndsTheParse) {
  SseParser p(64);
  auto events = p.feed("data: small\n\ndata: " + std::string(40, 'x'));
  ASSERT_EQ(events.size(), 1u);  // what completed before is still returned
  EXPECT_EQ(events[0].data, "small");
  EXPECT_FALSE(p.overflowed());
  EXPECT_TRUE(p.feed(std::string(30, 'y')).empty());  // 6 + 40 + 30 bytes pending: past 64
  EXPECT_TRUE(p.overflowed());
  EXPECT_TRUE(p.pending().empty());  // the bytes are dropped
  EXPECT_TRUE(p.feed("\n\ndata: later\n\n").empty());  // and nothing more is parsed
}

TEST(SseParser, AnEventUpToTheBoundPasses) {
  SseParser p(64);
  std::string data(56, 'z');  // "data: " + 56 + "\n" = 63 bytes pending before the blank line
  EXPECT_TRUE(p.feed("data: " + data + "\n").empty());
  auto events = p.feed("\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, data);
  EXPECT_FALSE(p.overflowed());
}

TEST(SseParser, DefaultBoundIsOneMebibyte) {
  SseParser p;
  std::string big(kt::http::kMaxPendingEventBytes - 16, 'a');
  EXPECT_TRUE(p.feed("data: " + big).empty());
  EXPECT_FALSE(p.overflowed());
  EXPECT_TRUE(p.feed(std::string(64, 'a')).empty());
  EXPECT_TRUE(p.overflowed());
}
