// The gateway log's records and batches: what the gateway writes is what the API reads.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "wire/log_wire.hpp"
#include "spool/frame.hpp"

namespace kt::wire {
namespace {

using ledger::LogRecord;

std::string batch_body(const BatchHeader& h, const std::vector<std::string>& rests, uint64_t first_seq = 1) {
  std::string body = encode_batch_header(h) + "\n";
  uint64_t seq = first_seq;
  for (const auto& r : rests) spool::append_frame(body, seq++, r);
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return body;
}

TEST(LogWire, RecordsRoundTripThroughABatch) {
  RecordRequest req{"req_1:1", "team_eng", "lease_7", "req_1", "gpt-4o-mini", "openai", "engineering", false};
  RecordEvent ev{"evt_1", "decision", 1775952000123456, R"({"id":"evt_1","type":"decision","cost":0.0000171})"};
  std::vector<std::string> rests = {
      intent_record(req, *Money::parse("0.0005"), 14, 800),
      settle_record(req, *Money::parse("0.0000171"), *Money::parse("0.0005"), 14, 25, false, ev),
      release_record(RecordRequest{"req_2:1", "team_eng", "", "req_2", "gpt-4o", "openai", "engineering", true}, ev),
      event_record("", "", RecordEvent{"evt_9", "decision", 5, R"({"id":"evt_9"})"}),
      lease_record("lease_7", "team_eng", *Money::parse("2.5")),
      lease_return_record("lease_7", "team_eng"),
      close_record(),
  };
  BatchHeader h;
  h.log_id = "gw_x-w0";
  h.holder = "gw_x";
  h.head_seq = 9;
  h.unapplied_records = 2;
  h.thresholds = {50, 80};
  h.pending = {{"team_eng", *Money::parse("0.25"), 2}};
  std::string body = batch_body(h, rests);
  ApiError err;
  auto b = decode_batch(body, err);
  ASSERT_TRUE(b) << err.message;
  EXPECT_EQ(b->log_id, "gw_x-w0");
  EXPECT_EQ(b->through_seq, 7);
  EXPECT_EQ(b->head_seq, 9);
  EXPECT_EQ(b->alert_thresholds, (std::vector<int>{50, 80}));
  ASSERT_EQ(b->pending.size(), 1u);
  EXPECT_EQ(b->pending[0].amount, *Money::parse("0.25"));
  ASSERT_EQ(b->records.size(), 7u);
  const auto& i = b->records[0];
  EXPECT_EQ(i.kind, LogRecord::Kind::intent);
  EXPECT_EQ(i.seq, 1);
  EXPECT_EQ(i.amount, *Money::parse("0.0005"));
  EXPECT_EQ(i.key, "req_1:1");
  const auto& s = b->records[1];
  EXPECT_EQ(s.kind, LogRecord::Kind::settle);
  EXPECT_EQ(s.amount, *Money::parse("0.0000171"));
  EXPECT_EQ(s.estimate, *Money::parse("0.0005"));
  EXPECT_EQ(s.lease_id, "lease_7");
  EXPECT_EQ(s.model, "gpt-4o-mini");
  EXPECT_EQ(s.completion_tokens, 25);
  EXPECT_EQ(s.event_id, "evt_1");
  EXPECT_EQ(s.ts_micros, 1775952000123456);
  EXPECT_EQ(s.event_json, R"({"id":"evt_1","type":"decision","cost":0.0000171})");
  EXPECT_TRUE(b->records[2].reserved);
  EXPECT_EQ(b->records[3].kind, LogRecord::Kind::event);
  EXPECT_EQ(b->records[4].amount, *Money::parse("2.5"));
  EXPECT_EQ(b->records[5].kind, LogRecord::Kind::lease_return);
  EXPECT_EQ(b->records[6].kind, LogRecord::Kind::close);
}

TEST(LogWire, ABrokenFrameOrOrderRefusesTheBatch) {
  BatchHeader h;
  h.log_id = "l";
  std::string body = batch_body(h, {close_record(), close_record()});
  body[body.size() - 3] = 'X';  // inside the last frame's JSON: its checksum no longer matches
  ApiError err;
  EXPECT_FALSE(decode_batch(body, err));
  EXPECT_EQ(err.status, 400);
  std::string out_of_order = encode_batch_header(h) + "\n";
  spool::append_frame(out_of_order, 5, close_record());
  spool::append_frame(out_of_order, 4, close_record());
  out_of_order.reserve(out_of_order.size() + 64);
  EXPECT_FALSE(decode_batch(out_of_order, err));
  std::string no_header = "\n";
  no_header.reserve(64);
  EXPECT_FALSE(decode_batch(no_header, err));
}

TEST(LogWire, AnUnreadableRecordKeepsItsSeqAndIsMarkedInvalid) {
  BatchHeader h;
  h.log_id = "l";
  std::string body = batch_body(h, {R"(,"k":"settle","amt":"not a number"})", R"(,"k":"teleport"})"});
  ApiError err;
  auto b = decode_batch(body, err);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->records.size(), 2u);
  EXPECT_EQ(b->records[0].kind, LogRecord::Kind::invalid);
  EXPECT_EQ(b->records[0].seq, 1);
  EXPECT_FALSE(b->records[0].reject_reason.empty());
  EXPECT_EQ(b->records[1].kind, LogRecord::Kind::invalid);
}

// log_wire fuzzer: an event whose brackets match but which is not JSON was read as the record's
// event, kept by the store, and sent as-is inside every GET /v1/events answer holding it.
TEST(LogWire, ARecordWhoseEventIsNotJsonIsInvalid) {
  BatchHeader h;
  h.log_id = "l";
  RecordRequest req{"req_1:1", "team_eng", "", "req_1", "gpt-4o-mini", "openai", "engineering", true};
  std::string body = batch_body(h, {
      settle_record(req, *Money::parse("0.01"), *Money::parse("0.02"), 1, 1, false,
                    RecordEvent{"evt_1", "decision", 1, R"({"id":"evt_1","team_id":"team_e"team_id"g"})"}),
      event_record("team_eng", "", RecordEvent{"evt_2", "alert", 1, R"({"id":"evt_2","x":tru})"}),
      event_record("team_eng", "", RecordEvent{"evt_3", "alert", 1, R"({"id":"evt_3","x":[true, 1.5e3, null]})"}),
      // Grammatical, but past what simdjson holds: a shipped event must be readable by every
      // reader of GET /v1/events, so these are refused too (a gateway never writes them).
      event_record("team_eng", "", RecordEvent{"evt_4", "alert", 1, R"({"id":"evt_4","x":1e400})"}),
      event_record("team_eng", "", RecordEvent{"evt_5", "alert", 1, R"({"id":"evt_5","x":"\udc00"})"}),
      event_record("team_eng", "", RecordEvent{"evt_6", "alert", 1, R"(["evt_6"])"}),
  });
  ApiError err;
  auto b = decode_batch(body, err);
  ASSERT_TRUE(b) << err.message;
  ASSERT_EQ(b->records.size(), 6u);
  for (size_t i = 3; i < 5; ++i) EXPECT_EQ(b->records[i].reject_reason, "its event is not JSON") << i;
  EXPECT_EQ(b->records[5].kind, LogRecord::Kind::invalid);  // an event is an object
  EXPECT_EQ(b->records[0].kind, LogRecord::Kind::invalid);
  EXPECT_EQ(b->records[0].reject_reason, "its event is not JSON");
  EXPECT_EQ(b->records[1].kind, LogRecord::Kind::invalid);
  EXPECT_EQ(b->records[2].kind, LogRecord::Kind::event);
}

// Differential over an event and ~7,000 one-byte changes of it: whatever simdjson's DOM parser
// takes as an object is kept and reads back byte for byte (blanks around it aside), and whatever
// is kept, the DOM parser takes. (A change that closes the event early leaves the rest to the
// record as members of its own: the event kept is then the part before.)
TEST(LogWire, AnEventIsKeptExactlyWhenTheDomParserTakesIt) {
  const std::string good =
      R"({"id":"evt_1","type":"decision","n":[1,-2,3.5e-3,0.0,true,false,null,{}],"s":"a\"b\\u00e9\ud83d\ude00",)"
      R"("o":{"k":{"deep":[[],[{}]]}},"e":"","big":18446744073709551615,"neg":-9223372036854775808})";
  simdjson::dom::parser dom;
  auto dom_takes = [&](const std::string& json) {
    simdjson::dom::element e;
    simdjson::padded_string padded(json);
    return dom.parse(padded).get(e) == simdjson::SUCCESS && e.is_object();
  };
  auto kept = [](const std::string& json, std::string& read_back) {
    BatchHeader h;
    h.log_id = "l";
    std::string body = batch_body(h, {event_record("t", "", RecordEvent{"evt", "alert", 1, json})});
    ApiError err;
    auto b = decode_batch(body, err);
    if (!b || b->records.size() != 1) return false;
    read_back = std::string(b->records[0].event_json);
    return b->records[0].kind == LogRecord::Kind::event;
  };
  std::string back;
  ASSERT_TRUE(dom_takes(good));
  ASSERT_TRUE(kept(good, back));
  EXPECT_EQ(back, good);
  const std::string bytes = "{}[]\\\",:0-1.eE+tfn \txu\x01\xff";
  int checked = 0, both_kept = 0;
  for (size_t at = 0; at < good.size(); ++at) {
    for (char c : bytes) {
      for (int how = 0; how < 2; ++how) {  // replace the byte, or insert one before it
        std::string changed = good;
        if (how == 0) changed[at] = c;
        else changed.insert(changed.begin() + std::ptrdiff_t(at), c);
        if (changed == good) continue;
        bool dom_ok = dom_takes(changed), ours = kept(changed, back);
        ++checked;
        if (dom_ok) {
          ASSERT_TRUE(ours) << "at " << at << " '" << c << "': " << changed;
          ++both_kept;
          std::string_view bare = changed;
          while (bare.front() != '{') bare.remove_prefix(1);
          while (bare.back() != '}') bare.remove_suffix(1);
          EXPECT_EQ(back, bare);
        }
        if (ours) {
          ASSERT_TRUE(dom_takes(back)) << "at " << at << " '" << c << "': kept " << back;
          if (!dom_ok) EXPECT_EQ(changed.find(back), 0u) << back;  // closed early: the part before
        }
      }
    }
  }
  EXPECT_GT(checked, 5000);
  EXPECT_GT(both_kept, 100);  // changes both take (inside strings, digits) were seen too
}

TEST(LogWire, TextWithEscapesIsUnescapedAndOutlivesTheNextRecord) {
  BatchHeader h;
  h.log_id = "l";
  RecordRequest a{"k:1", "team \"quoted\"\n", "", "", "m", "p", "g", false};
  RecordRequest b{"k:2", "plain", "", "", "m", "p", "g", false};
  std::string body = batch_body(h, {release_record(a, {}), release_record(b, {})});
  ApiError err;
  auto batch = decode_batch(body, err);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->records[0].team_id, "team \"quoted\"\n");
  EXPECT_EQ(batch->records[1].team_id, "plain");
}

TEST(LogWire, ResultsRoundTrip) {
  ledger::LogApplyResult r;
  r.applied_seq = 42;
  r.applied = 40;
  r.skipped = 2;
  ledger::LogTeamResult t;
  t.team_id = "team_eng";
  t.balance.team_id = "team_eng";
  t.balance.budget = *Money::parse("500");
  t.balance.spent = *Money::parse("0.0000171");
  t.fired = {50};
  t.settled = *Money::parse("0.0000171");
  r.teams.push_back(t);
  auto back = decode_log_result(encode_log_result(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->applied_seq, 42);
  EXPECT_EQ(back->skipped, 2);
  ASSERT_EQ(back->teams.size(), 1u);
  EXPECT_EQ(back->teams[0].balance.spent, *Money::parse("0.0000171"));
  EXPECT_EQ(back->teams[0].fired, (std::vector<int>{50}));
  EXPECT_EQ(back->teams[0].settled, *Money::parse("0.0000171"));
}

}  // namespace
}  // namespace kt::wire
