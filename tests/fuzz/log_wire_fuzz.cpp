// The gateway -> API ledger log wire format (log_wire.hpp): the batch POST /v1/gateway/log
// carries (a header line, then checksummed frames) and its answer. The input is decoded twice:
// as it is, and with every line after the first framed with its right checksum (else almost no
// mutation would get past the CRC to the record decoder).
//
// Invariants of an accepted batch: a log id; records in increasing order, through_seq covering
// them; the header and every frame encode back to a batch that decodes to the same; each record
// the store would apply, written again by the writer of its kind, reads back the same; an event
// the store would keep (and serve from /v1/events) is JSON. Answers: encode(decode(x)) round trips.
#include <simdjson.h>

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "wire/log_wire.hpp"
#include "core/crc32c.hpp"
#include "core/json_duplicate_keys.hpp"
#include "fuzz_support.hpp"
#include "spool/frame.hpp"

namespace {

using namespace kt;
using ledger::LogRecord;
using K = LogRecord::Kind;

// simdjson reads a little past the end of what it parses: the decoders are given padded copies.
std::string padded(std::string_view text) {
  std::string s;
  s.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  s.assign(text);
  return s;
}

bool grammatical(std::string_view json) { return check_json_keys(json).status != JsonKeyCheck::Status::malformed; }

// Every line after the first as a frame with its right checksum.
std::string with_checksums(std::string_view body) {
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos) return std::string(body);
  std::string out(body.substr(0, nl + 1));
  std::string_view rest = body.substr(nl + 1);
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    char crc[10];
    std::snprintf(crc, sizeof crc, "%08x ", crc32c(line));
    out.append(crc).append(line) += '\n';
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return out;
}

// The fields a record of kind `k` is written with (log_wire.hpp), as text to compare.
std::string describe(const LogRecord& r, K k) {
  std::string d = std::to_string(int(r.kind)) + "|" + std::to_string(r.seq);
  auto text = [&d](std::string_view name, std::string_view v) { d.append("|").append(name).append("=").append(v); };
  auto number = [&d](std::string_view name, int64_t v) { d.append("|").append(name).append("=") += std::to_string(v); };
  bool request = k == K::intent || k == K::settle || k == K::release;
  if (request) {
    text("key", r.key), text("rid", r.request_id), text("model", r.model), text("prov", r.provider);
    number("res", r.reserved);
  }
  if (request || k == K::lease || k == K::lease_return) text("lease", r.lease_id);
  if (request || k == K::event || k == K::lease || k == K::lease_return) text("team", r.team_id);
  if (request || k == K::event) text("grp", r.consumer_group);
  if (k == K::intent || k == K::settle || k == K::lease) number("amt", r.amount.nanos());
  if (k == K::intent || k == K::settle) number("pt", r.prompt_tokens), number("ct", r.completion_tokens);
  if (k == K::settle) number("est", r.estimate.nanos()), number("rec", r.recovered);
  if ((k == K::settle || k == K::release || k == K::event) && !r.event_json.empty()) {
    text("eid", r.event_id), text("ety", r.event_type), number("ts", r.ts_micros), text("ev", r.event_json);
  }
  return d;
}

std::string describe_all(const LogRecord& r) { return describe(r, K::settle) + describe(r, K::lease) + r.reject_reason; }

// The record written again by the writer of its kind (the part after its sequence number).
std::string rewrite(const LogRecord& r) {
  wire::RecordRequest q{r.key, r.team_id, r.lease_id, r.request_id, r.model, r.provider, r.consumer_group, r.reserved};
  wire::RecordEvent e{r.event_id, r.event_type, r.ts_micros, r.event_json};
  switch (r.kind) {
    case K::intent: return wire::intent_record(q, r.amount, r.prompt_tokens, r.completion_tokens);
    case K::settle:
      return wire::settle_record(q, r.amount, r.estimate, r.prompt_tokens, r.completion_tokens, r.recovered, e);
    case K::release: return wire::release_record(q, e);
    case K::event: return wire::event_record(r.team_id, r.consumer_group, e);
    case K::lease: return wire::lease_record(r.lease_id, r.team_id, r.amount);
    case K::lease_return: return wire::lease_return_record(r.lease_id, r.team_id);
    case K::close: return wire::close_record();
    case K::invalid: break;
  }
  return "";
}

void check_record(const LogRecord& r) {
  if (r.kind == K::invalid) {
    KT_FUZZ_CHECK(!r.reject_reason.empty(), "a record that cannot be read says why");
    return;
  }
  // What the store keeps as an event row is served as-is by GET /v1/events: JSON. (A shipped
  // event is held to simdjson's rule, stricter than the grammar: wire/log_wire.cpp.)
  if (!r.event_json.empty() && !r.event_id.empty()) KT_FUZZ_CHECK(grammatical(r.event_json), "a kept event is JSON");
  std::string again = padded("{\"s\":" + std::to_string(r.seq) + rewrite(r));
  KT_FUZZ_CHECK(grammatical(again), "a written record is JSON");
  LogRecord back;
  std::deque<std::string> arena;
  wire::decode_record(again, back, arena);
  KT_FUZZ_CHECK(describe(back, r.kind) == describe(r, r.kind), "a record written again reads back the same");
}

wire::BatchHeader header_of(const ledger::LogBatch& b) {
  return {b.log_id, b.holder, b.through_seq, b.head_seq, b.unapplied_records, b.unapplied_bytes, b.alert_thresholds, b.pending};
}

// The frames as they were: the record's JSON after its first member, behind the frame's number.
std::string reframed(const ledger::LogBatch& b) {
  std::string out = wire::encode_batch_header(header_of(b)) + "\n";
  for (const LogRecord& r : b.records) {
    size_t first = r.raw.find_first_of(",}", 5);  // {"s":<digits>
    spool::append_frame(out, uint64_t(r.seq), r.raw.substr(first));
  }
  return padded(out);
}

void check_batch(const ledger::LogBatch& b) {
  KT_FUZZ_CHECK(!b.log_id.empty(), "an accepted batch names its log");
  for (size_t i = 0; i < b.records.size(); ++i) {
    if (i > 0) KT_FUZZ_CHECK(b.records[i - 1].seq < b.records[i].seq, "records in increasing order");
    check_record(b.records[i]);
  }
  if (!b.records.empty()) KT_FUZZ_CHECK(b.through_seq >= b.records.back().seq, "through_seq covers the records");

  const std::string body = reframed(b);
  ApiError error;
  auto again = wire::decode_batch(body, error);
  KT_FUZZ_CHECK(again.has_value(), "a batch encoded again decodes");
  KT_FUZZ_CHECK(wire::encode_batch_header(header_of(*again)) == wire::encode_batch_header(header_of(b)),
                "the header survives a round trip");
  KT_FUZZ_CHECK(again->records.size() == b.records.size(), "every frame survives a round trip");
  for (size_t i = 0; i < b.records.size(); ++i)
    KT_FUZZ_CHECK(describe_all(again->records[i]) == describe_all(b.records[i]), "a frame survives a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const std::string& body : {padded(input), padded(with_checksums(input))}) {
    ApiError error;
    if (auto batch = wire::decode_batch(body, error)) check_batch(*batch);
    else KT_FUZZ_CHECK(error.status == 400 && !error.message.empty(), "a refused batch is a 400 that says why");
  }

  if (auto result = wire::decode_log_result(input)) {
    const std::string once = wire::encode_log_result(*result);
    KT_FUZZ_CHECK(fuzz::is_json(once), "an encoded answer is JSON");
    auto again = wire::decode_log_result(once);
    KT_FUZZ_CHECK(again && wire::encode_log_result(*again) == once, "an answer survives a round trip");
  }
  return 0;
}
