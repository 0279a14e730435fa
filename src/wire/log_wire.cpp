#include "wire/log_wire.hpp"

#include "wire/ledger_wire.hpp"
#include "wire/sj_read.hpp"
#include "core/json_writer.hpp"
#include "spool/frame.hpp"

namespace kt::wire {
namespace sj = simdjson::ondemand;
using ledger::LogRecord;

namespace {

// Starts a record's members (the object's '{' becomes the ',' after the sequence number).
JsonWriter begin_record(std::string_view kind, size_t expected) {
  JsonWriter w(expected);
  w.begin_object().field("k", kind);
  return w;
}
std::string finish(JsonWriter& w) {
  w.end_object();
  std::string out = w.take();
  out[0] = ',';
  return out;
}

template <std::size_t N>  // keys are literals: JsonWriter writes them unscanned
void optional_text(JsonWriter& w, const char (&key)[N], std::string_view v) {
  if (!v.empty()) w.field(key, v);
}

void request_fields(JsonWriter& w, const RecordRequest& r) {
  optional_text(w, "key", r.key);
  optional_text(w, "team", r.team);
  optional_text(w, "lease", r.lease);
  if (r.reserved) w.field("res", true);
  optional_text(w, "rid", r.request_id);
  optional_text(w, "model", r.model);
  optional_text(w, "prov", r.provider);
  optional_text(w, "grp", r.group);
}

void event_fields(JsonWriter& w, const RecordEvent& e) {
  if (e.json.empty()) return;
  w.field("eid", e.id).field("ety", e.type).field("ts", e.ts_micros);
  w.key("ev").raw(e.json);  // last: a reader finds the record's own fields first
}

LogRecord::Kind kind_of(std::string_view k) {
  using K = LogRecord::Kind;
  if (k == "settle") return K::settle;
  if (k == "intent") return K::intent;
  if (k == "release") return K::release;
  if (k == "event") return K::event;
  if (k == "lease") return K::lease;
  if (k == "lease_return") return K::lease_return;
  if (k == "close") return K::close;
  return K::invalid;
}

// A string value as a view into the record itself when it has no escapes (the usual case), else
// unescaped into `arena`. (simdjson's get_string() points into the parser's own buffer, which
// the next record reuses.)
std::string_view text_of(sj::value v, std::deque<std::string>& arena) {
  std::string_view token = v.raw_json_token();
  while (!token.empty() && token.back() != '"') token.remove_suffix(1);
  if (token.size() < 2 || token.front() != '"') throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
  std::string_view inner = token.substr(1, token.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return inner;
  arena.emplace_back(v.get_string().value());
  return arena.back();
}

// Whether an event can be stored and sent as it is: a JSON object that every reader takes. simdjson's
// DOM parse checks all of it (grammar, UTF-8, numbers a parser holds, escapes) at SIMD speed, a
// third of the instructions of the grammar scan it replaced (bench/profile.sh --process api). The
// view lies inside its record, which lies inside a padded batch: the padding simdjson reads is there.
bool servable_event(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element e;
  return parser.parse(json.data(), json.size(), false).get(e) == simdjson::SUCCESS && e.is_object();
}

}  // namespace

std::string intent_record(const RecordRequest& r, Money held, int64_t prompt_tokens, int64_t output_tokens) {
  JsonWriter w = begin_record("intent", 256);
  request_fields(w, r);
  w.field("amt", held.nanos()).field("pt", prompt_tokens).field("ct", output_tokens);
  return finish(w);
}

std::string settle_record(const RecordRequest& r, Money actual, Money held, int64_t prompt_tokens,
                          int64_t completion_tokens, bool recovered, const RecordEvent& e) {
  JsonWriter w = begin_record("settle", 320 + e.json.size());
  request_fields(w, r);
  w.field("amt", actual.nanos()).field("est", held.nanos()).field("pt", prompt_tokens).field("ct", completion_tokens);
  if (recovered) w.field("rec", true);
  event_fields(w, e);
  return finish(w);
}

std::string release_record(const RecordRequest& r, const RecordEvent& e) {
  JsonWriter w = begin_record("release", 256 + e.json.size());
  request_fields(w, r);
  event_fields(w, e);
  return finish(w);
}

std::string event_record(std::string_view team, std::string_view group, const RecordEvent& e) {
  JsonWriter w = begin_record("event", 128 + e.json.size());
  optional_text(w, "team", team);
  optional_text(w, "grp", group);
  event_fields(w, e);
  return finish(w);
}

std::string lease_record(std::string_view lease, std::string_view team, Money granted) {
  JsonWriter w = begin_record("lease", 128);
  w.field("lease", lease).field("team", team).field("amt", granted.nanos());
  return finish(w);
}

std::string lease_return_record(std::string_view lease, std::string_view team) {
  JsonWriter w = begin_record("lease_return", 128);
  w.field("lease", lease).field("team", team);
  return finish(w);
}

std::string close_record() { return R"(,"k":"close"})"; }

void decode_record(std::string_view json, LogRecord& out, std::deque<std::string>& arena) {
  thread_local sj::parser parser;
  out = LogRecord{};
  out.raw = json;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(json.data(), json.size(), json.size() + simdjson::SIMDJSON_PADDING));
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key().value();
      sj::value v = f.value();
      if (k == "s") out.seq = v.get_int64().value();
      else if (k == "k") out.kind = kind_of(v.get_string().value());
      else if (k == "key") out.key = text_of(v, arena);
      else if (k == "team") out.team_id = text_of(v, arena);
      else if (k == "lease") out.lease_id = text_of(v, arena);
      else if (k == "model") out.model = text_of(v, arena);
      else if (k == "prov") out.provider = text_of(v, arena);
      else if (k == "grp") out.consumer_group = text_of(v, arena);
      else if (k == "rid") out.request_id = text_of(v, arena);
      else if (k == "amt") out.amount = Money::from_nanos(v.get_int64().value());
      else if (k == "est") out.estimate = Money::from_nanos(v.get_int64().value());
      else if (k == "pt") out.prompt_tokens = v.get_int64().value();
      else if (k == "ct") out.completion_tokens = v.get_int64().value();
      else if (k == "res") out.reserved = v.get_bool().value();
      else if (k == "rec") out.recovered = v.get_bool().value();
      else if (k == "eid") out.event_id = text_of(v, arena);
      else if (k == "ety") out.event_type = text_of(v, arena);
      else if (k == "ts") out.ts_micros = v.get_int64().value();
      else if (k == "ev") out.event_json = v.get_object().value().raw_json().value();
    }
    if (out.kind == LogRecord::Kind::invalid) out.reject_reason = "unknown record kind";
    // On Demand's raw_json() checks only the event's brackets; the store keeps it as an event row
    // that GET /v1/events sends as-is, so one that is not JSON would break every answer holding it
    // (found by the log_wire fuzzer).
    if (!out.event_json.empty() && !servable_event(out.event_json)) {
      out.kind = LogRecord::Kind::invalid;
      out.reject_reason = "its event is not JSON";
    }
  } catch (const simdjson::simdjson_error& e) {
    int64_t seq = out.seq;
    std::string_view raw = out.raw;
    out = LogRecord{};
    out.seq = seq;
    out.raw = raw;
    out.reject_reason = std::string("unreadable record: ") + e.what();
  }
}

std::string encode_batch_header(const BatchHeader& h) {
  JsonWriter w(256);
  w.begin_object().field("log", h.log_id).field("holder", h.holder).field("through", h.through_seq);
  w.field("head", h.head_seq).field("unapplied_records", h.unapplied_records).field("unapplied_bytes", h.unapplied_bytes);
  w.key("thresholds").begin_array();
  for (int t : h.thresholds) w.value(t);
  w.end_array().key("pending").begin_array();
  for (const auto& p : h.pending)
    w.begin_object().field("team", p.team_id).field("amt", p.amount.nanos()).field("n", p.records).end_object();
  w.end_array().end_object();
  return w.take();
}

std::optional<ledger::LogBatch> decode_batch(std::string_view body, ApiError& error) {
  auto bad = [&](std::string message) -> std::optional<ledger::LogBatch> {
    error = bad_request("invalid_log_batch", std::move(message));
    return std::nullopt;
  };
  size_t nl = body.find('\n');
  std::string_view head = body.substr(0, nl);
  ledger::LogBatch b;
  try {
    thread_local sj::parser parser;
    auto doc = parser.iterate(simdjson::padded_string_view(head.data(), head.size(), head.size() + simdjson::SIMDJSON_PADDING));
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key().value();
      sj::value v = f.value();
      if (k == "log") b.log_id = std::string(v.get_string().value());
      else if (k == "holder") b.holder = std::string(v.get_string().value());
      else if (k == "through") b.through_seq = v.get_int64().value();
      else if (k == "head") b.head_seq = v.get_int64().value();
      else if (k == "unapplied_records") b.unapplied_records = v.get_int64().value();
      else if (k == "unapplied_bytes") b.unapplied_bytes = v.get_int64().value();
      else if (k == "thresholds") {
        for (auto t : v.get_array()) b.alert_thresholds.push_back(int(t.get_int64().value()));
      } else if (k == "pending") {
        for (auto p : v.get_array()) {
          ledger::TeamPending tp;
          for (auto pf : p.get_object()) {
            std::string_view pk = pf.unescaped_key().value();
            if (pk == "team") tp.team_id = std::string(pf.value().get_string().value());
            else if (pk == "amt") tp.amount = Money::from_nanos(pf.value().get_int64().value());
            else if (pk == "n") tp.records = pf.value().get_int64().value();
          }
          b.pending.push_back(std::move(tp));
        }
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    return bad(std::string("the batch's first line must be its header object: ") + e.what());
  }
  if (b.log_id.empty()) return bad("the batch header needs a \"log\" id");
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
  while (!rest.empty()) {
    spool::FrameView f;
    size_t len = 0;
    if (spool::parse_frame(rest, f, len, true) != spool::FrameStatus::ok)
      return bad("frame after seq " + std::to_string(b.records.empty() ? 0 : b.records.back().seq) +
                 " is not a whole, intact frame");
    LogRecord r;
    decode_record(f.json, r, b.unescaped);
    r.seq = int64_t(f.seq);
    if (!b.records.empty() && r.seq <= b.records.back().seq) return bad("frames must be in increasing sequence order");
    b.records.push_back(std::move(r));
    rest.remove_prefix(len);
  }
  if (!b.records.empty() && b.through_seq < b.records.back().seq) b.through_seq = b.records.back().seq;
  return b;
}

std::string encode_log_result(const ledger::LogApplyResult& r) {
  JsonWriter w(256 + 512 * r.teams.size());
  w.begin_object().field("applied_seq", r.applied_seq).field("applied", r.applied);
  w.field("skipped", r.skipped).field("rejected", r.rejected).key("teams").begin_array();
  for (const auto& t : r.teams) {
    w.begin_object().field("team_id", t.team_id).key("balance");
    write_balance(w, t.balance);
    w.key("fired").begin_array();
    for (int f : t.fired) w.value(f);
    w.end_array().field("settled", t.settled);
    if (t.exhausts_at) w.field("exhausts_at", *t.exhausts_at);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::optional<ledger::LogApplyResult> decode_log_result(std::string_view body) {
  std::string buf(body);
  buf.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  ledger::LogApplyResult r;
  try {
    thread_local sj::parser parser;
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key().value();
      sj::value v = f.value();
      if (k == "applied_seq") r.applied_seq = v.get_int64().value();
      else if (k == "applied") r.applied = v.get_int64().value();
      else if (k == "skipped") r.skipped = v.get_int64().value();
      else if (k == "rejected") r.rejected = v.get_int64().value();
      else if (k == "teams") {
        for (auto t : v.get_array()) {
          ledger::LogTeamResult tr;
          for (auto tf : t.get_object()) {
            std::string_view tk = tf.unescaped_key().value();
            sj::value tv = tf.value();
            if (tk == "team_id") tr.team_id = detail::str_of(tv);
            else if (tk == "balance") tr.balance = detail::balance_of(tv.get_object());
            else if (tk == "fired") {
              for (auto x : tv.get_array()) tr.fired.push_back(int(x.get_int64().value()));
            } else if (tk == "settled") tr.settled = detail::money_of(tv);
            else if (tk == "exhausts_at") tr.exhausts_at = tv.get_int64().value();
          }
          r.teams.push_back(std::move(tr));
        }
      }
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return r;
}

}  // namespace kt::wire
