#pragma once
// The gateway log's records (what a spool frame's JSON holds) and how a log travels to the API.
//
// A record is one JSON object, its first member the frame's sequence number (spool/frame.hpp):
//   {"s":7,"k":"intent","key":"req_…:1","team":"team_eng","amt":52500,"lease":"lease_…","res":false,
//    "rid":"req_…","model":"gpt-4o-mini","prov":"openai","grp":"engineering","pt":14,"ct":800}
//   {"s":8,"k":"settle","key":…,"team":…,"amt":<actual nanos>,"est":<held nanos>,"lease":…,"res":…,
//    "model":…,"prov":…,"grp":…,"pt":14,"ct":25,"eid":"evt_…","ety":"decision","ts":<µs>,"ev":{…event…}}
//   {"s":9,"k":"release",…same keys without amounts…}     {"s":10,"k":"event","team":…,"grp":…,"eid":…,"ety":…,"ts":…,"ev":{…}}
//   {"s":11,"k":"lease","lease":…,"team":…,"amt":<granted>}   {"s":12,"k":"lease_return","lease":…,"team":…}
//   {"s":13,"k":"close"}
// Money is integer nano-dollars. The event is the record's last member, copied as it was built.
//
// POST /v1/gateway/log carries one batch: a header line, then frames as they lie on disk:
//   {"log":"gw_…-w0","holder":"gw_…","through":13,"head":20,"unapplied_records":7,
//    "unapplied_bytes":9000,"thresholds":[50,80],"pending":[{"team":"team_eng","amt":123,"n":7}]}\n
//   <frame>\n<frame>\n…
// and is answered {"log","applied_seq","applied","skipped","rejected","teams":[{"team_id","balance",
// "fired","settled"}]}.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "ledger/store_types.hpp"

namespace kt::wire {

// --- Writing records (the gateway) --------------------------------------------------------

// Who a record is about; every text field may be empty.
struct RecordRequest {
  std::string_view key, team, lease, request_id, model, provider, group;
  bool reserved = false;
};
struct RecordEvent {
  std::string_view id, type = "decision";
  int64_t ts_micros = 0;
  std::string_view json;  // empty: no event
};

// Each returns the part of a record after its sequence number (spool::append_frame's `rest`).
std::string intent_record(const RecordRequest& r, Money held, int64_t prompt_tokens, int64_t output_tokens);
std::string settle_record(const RecordRequest& r, Money actual, Money held, int64_t prompt_tokens,
                          int64_t completion_tokens, bool recovered, const RecordEvent& e);
std::string release_record(const RecordRequest& r, const RecordEvent& e);
std::string event_record(std::string_view team, std::string_view group, const RecordEvent& e);
std::string lease_record(std::string_view lease, std::string_view team, Money granted);
std::string lease_return_record(std::string_view lease, std::string_view team);
std::string close_record();

// --- Reading records (the API, recovery) -------------------------------------------------

// Reads a record's JSON into `out`. Text fields point into `json` (which must stay alive and be
// readable for simdjson's padding past its end), or into `unescaped` for a text with JSON escapes.
// A record that cannot be read keeps its seq (when readable) with kind invalid and the reason.
void decode_record(std::string_view json, ledger::LogRecord& out, std::deque<std::string>& unescaped);

// --- A shipped batch ---------------------------------------------------------------------

struct BatchHeader {
  std::string log_id, holder;
  int64_t through_seq = 0, head_seq = 0, unapplied_records = 0, unapplied_bytes = 0;
  std::vector<int> thresholds;
  std::vector<ledger::TeamPending> pending;
};
std::string encode_batch_header(const BatchHeader& h);
// The batch in `body` (which must have simdjson's padding in its capacity: the route reserves it).
// 400 for a missing or malformed header, a frame that is not one, or frames out of order.
std::optional<ledger::LogBatch> decode_batch(std::string_view body, ApiError& error);

std::string encode_log_result(const ledger::LogApplyResult& r);
std::optional<ledger::LogApplyResult> decode_log_result(std::string_view body);

}  // namespace kt::wire
