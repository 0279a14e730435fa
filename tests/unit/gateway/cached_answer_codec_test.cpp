// The answer's framing for a shared store (cache/cached_answer_codec.hpp): what goes in comes out
// exactly, through a RESP bulk string as Redis sends it back; anything else is refused, never half read.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include "gateway/cache/cached_answer_codec.hpp"
#include "gateway/cache/redis_cache.hpp"

namespace kt::gateway {
namespace {

CachedAnswer sample(bool stream) {
  CachedAnswer a;
  a.status = 200;
  a.content_type = stream ? "text/event-stream" : "application/json";
  a.body = stream ? std::string("data: {\"x\":1}\n\ndata: [DONE]\n\n") : std::string("{\"a\":\"\0\xff\",\"b\":2}", 16);
  a.stream = stream;
  a.cost = Money::from_nanos(541350);
  a.request_id = "req_0123456789";
  a.stored_at = 1796119200;
  return a;
}

void expect_same(const CachedAnswer& a, const CachedAnswer& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.stream, b.stream);
  EXPECT_EQ(a.cost.nanos(), b.cost.nanos());
  EXPECT_EQ(a.request_id, b.request_id);
  EXPECT_EQ(a.stored_at, b.stored_at);
}

TEST(CachedAnswerCodec, RoundTripsEveryField) {
  for (bool stream : {false, true}) {
    auto a = sample(stream);
    auto back = decode_cached_answer(encode_cached_answer(a));
    ASSERT_TRUE(back) << stream;
    expect_same(a, *back);
  }
}

TEST(CachedAnswerCodec, SurvivesARespBulkStringReply) {
  const auto a = sample(true);
  const std::string frame = encode_cached_answer(a);
  const std::string resp = "$" + std::to_string(frame.size()) + "\r\n" + frame + "\r\n";
  redisReader* reader = redisReaderCreate();
  void* raw = nullptr;
  // Fed in two pieces, as a socket may deliver it.
  ASSERT_EQ(redisReaderFeed(reader, resp.data(), 7), REDIS_OK);
  ASSERT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK);
  EXPECT_EQ(raw, nullptr);
  ASSERT_EQ(redisReaderFeed(reader, resp.data() + 7, resp.size() - 7), REDIS_OK);
  ASSERT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK);
  ASSERT_NE(raw, nullptr);
  auto* reply = static_cast<redisReply*>(raw);
  ASSERT_EQ(reply->type, REDIS_REPLY_STRING);
  auto back = decode_cached_answer(std::string_view(reply->str, reply->len));
  freeReplyObject(raw);
  redisReaderFree(reader);
  ASSERT_TRUE(back);
  expect_same(a, *back);
}

TEST(CachedAnswerCodec, TheSetCommandCarriesTheFrameByteForByte) {
  const std::string frame = encode_cached_answer(sample(false));
  const char* argv[] = {"SET", "kt:cache:k", frame.data(), "PX", "300000"};
  const size_t lens[] = {3, 10, frame.size(), 2, 6};
  char* cmd = nullptr;
  int n = redisFormatCommandArgv(&cmd, 5, argv, lens);
  ASSERT_GT(n, 0);
  std::string wire(cmd, size_t(n));
  redisFreeCommand(cmd);
  const std::string bulk = "$" + std::to_string(frame.size()) + "\r\n" + frame + "\r\n";
  EXPECT_TRUE(wire.starts_with("*5\r\n$3\r\nSET\r\n$10\r\nkt:cache:k\r\n"));
  EXPECT_NE(wire.find(bulk), std::string::npos);
  EXPECT_TRUE(wire.ends_with("$2\r\nPX\r\n$6\r\n300000\r\n"));
}

TEST(CachedAnswerCodec, RefusesWhatIsNotExactlyAFrame) {
  const std::string frame = encode_cached_answer(sample(false));
  EXPECT_FALSE(decode_cached_answer(""));
  EXPECT_FALSE(decode_cached_answer("KTC0" + frame.substr(4)));       // another version
  EXPECT_FALSE(decode_cached_answer(frame + "x"));                    // padded
  for (size_t cut = 0; cut < frame.size(); ++cut)                     // cut anywhere
    EXPECT_FALSE(decode_cached_answer(std::string_view(frame).substr(0, cut))) << cut;
  std::string bad_stream = frame;
  bad_stream[4] = 2;
  EXPECT_FALSE(decode_cached_answer(bad_stream));
  auto negative = sample(false);
  negative.cost = Money::from_nanos(-1);
  EXPECT_FALSE(decode_cached_answer(encode_cached_answer(negative)));
}

TEST(CachedAnswerCodec, FreshnessIsTheTtlAndTheClientsMaxAge) {
  CachedAnswer a = sample(false);
  const int64_t t = a.stored_at;
  EXPECT_TRUE(fresh_enough(a, t, 300, std::nullopt));
  EXPECT_TRUE(fresh_enough(a, t + 299, 300, std::nullopt));
  EXPECT_FALSE(fresh_enough(a, t + 300, 300, std::nullopt));
  EXPECT_TRUE(fresh_enough(a, t + 10, 300, 10));
  EXPECT_FALSE(fresh_enough(a, t + 11, 300, 10));
  EXPECT_TRUE(fresh_enough(a, t, 300, 0));
}

}  // namespace
}  // namespace kt::gateway

namespace kt::gateway {
namespace {

TEST(RedisCacheKey, ReadableAndNeverSharedAcrossTeams) {
  const std::string canonical = *canonical_request(R"({"model":"m","messages":[]})");
  const std::string k = redis_cache_key(response_cache_key("team_a", "/v1/chat/completions", canonical));
  EXPECT_TRUE(k.starts_with("kt:cache:team_a:/v1/chat/completions:")) << k;
  EXPECT_EQ(k.size(), std::string("kt:cache:team_a:/v1/chat/completions:").size() + 64);
  // A team whose name holds the separators cannot land on another team's key.
  const std::string odd = redis_cache_key(response_cache_key("team_a:/v1/chat/completions", "/v1/chat/completions", canonical));
  EXPECT_TRUE(odd.starts_with("kt:cache:team_a%3a%2fv1%2fchat%2fcompletions:/v1/chat/completions:")) << odd;
  EXPECT_NE(redis_cache_key(response_cache_key("team_b", "/v1/chat/completions", canonical)), k);
  EXPECT_NE(redis_cache_key(response_cache_key("team_a", "/v1/completions", canonical)), k);
}

}  // namespace
}  // namespace kt::gateway
