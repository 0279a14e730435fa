// Gateway-facing routes: batched ledger ops (reserve/settle/release, idempotent by key) and the
// consumer-group registry (name -> wallet team; never the key).
#include <simdjson.h>

#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "wire/ledger_wire.hpp"
#include "wire/log_wire.hpp"
#include "core/period.hpp"

namespace kt::api {

awaitable<void> post_ledger_ops(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto ops = wire::decode_ops(req.body, err);
  if (!ops) co_return co_await reply_error(res, err);
  auto results = co_await ctx.store.call([&](ledger::Store& s) { return s.apply(*ops, now_unix_seconds()); });
  co_await reply_json(res, 200, wire::encode_results(results));
}

// A batch of a gateway's durable log (wire/log_wire.hpp): applied once, whatever is re-sent.
awaitable<void> post_gateway_log(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  req.body.reserve(req.body.size() + simdjson::SIMDJSON_PADDING);  // records are read in place
  ApiError err;
  auto batch = wire::decode_batch(req.body, err);
  if (!batch) co_return co_await reply_error(res, err);
  auto result = co_await ctx.store.call([&](ledger::Store& s) { return s.apply_log(*batch, now_unix_seconds()); });
  co_await reply_json(res, 200, wire::encode_log_result(result));
}

// The gateway logs the ledger knows (open ones, and those closed in the last day).
awaitable<void> get_gateway_logs(ApiContext& ctx, http::Request&, http::ResponseWriter& res) {
  auto logs = co_await ctx.store.call([&](ledger::Store& s) { return s.gateway_logs(now_unix_seconds() - 86400); });
  JsonWriter w;
  w.begin_object().key("logs").begin_array();
  for (const auto& l : logs) {
    w.begin_object().field("log_id", l.log_id).field("holder", l.holder).field("applied_seq", l.applied_seq);
    w.field("reported_head", l.reported_head).field("unapplied_records", l.unapplied_records);
    w.field("unapplied_bytes", l.unapplied_bytes).field("first_seen", format_rfc3339_seconds(l.first_seen));
    w.field("last_seen", format_rfc3339_seconds(l.last_seen)).key("closed_at");
    if (l.closed_at) w.value(format_rfc3339_seconds(*l.closed_at)); else w.null();
    w.key("pending").begin_array();
    for (const auto& p : l.pending)
      w.begin_object().field("team_id", p.team_id).field("amount", p.amount).field("records", p.records).end_object();
    w.end_array().end_object();
  }
  w.end_array().end_object();
  co_await reply_json(res, 200, w.take());
}

// The public docs' single-op routes: the body is one op without the "op" field.
awaitable<void> post_single_ledger_op(ApiContext& ctx, http::Request& req, http::ResponseWriter& res, const char* op) {
  ApiError err;
  auto one = wire::decode_single_op(req.body, op, err);
  if (!one) co_return co_await reply_error(res, err);
  std::vector<ledger::LedgerOp> ops{std::move(*one)};
  auto results = co_await ctx.store.call([&](ledger::Store& s) { return s.apply(ops, now_unix_seconds()); });
  JsonWriter w;
  wire::write_op_result(w, results.at(0));
  co_await reply_json(res, 200, w.take());
}

awaitable<void> post_consumer_groups(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  thread_local simdjson::ondemand::parser parser;
  std::string buf = wire::padded_copy(req.body);
  std::vector<ledger::ConsumerGroup> groups;
  bool malformed = false, incomplete = false;
  try {
    auto doc = parser.iterate(simdjson::padded_string_view(buf.data(), buf.size(), buf.capacity()));
    for (auto g : doc["groups"].get_array()) {
      ledger::ConsumerGroup cg;
      for (auto f : g.get_object()) {
        std::string_view k = f.unescaped_key().value();
        if (k == "name") cg.name = std::string(f.value().get_string().value());
        else if (k == "wallet_team_id" || k == "team_id") cg.team_id = std::string(f.value().get_string().value());
      }
      incomplete = incomplete || cg.name.empty() || cg.team_id.empty();
      groups.push_back(std::move(cg));
    }
  } catch (const simdjson::simdjson_error&) {
    groups.clear();
    malformed = true;
  }
  if (malformed)
    co_return co_await reply_error(res, bad_request("invalid_json", "body must be {\"groups\":[{\"name\",\"wallet_team_id\"}]}"));
  if (incomplete)
    co_return co_await reply_error(res, bad_request("invalid_field", "each group needs a name and a wallet_team_id"));
  size_t n = groups.size();
  co_await ctx.store.call([&](ledger::Store& s) { s.register_groups(groups); return true; });
  co_await reply_json(res, 200, "{\"registered\":" + std::to_string(n) + "}");
}

awaitable<void> get_consumer_groups(ApiContext& ctx, http::Request&, http::ResponseWriter& res) {
  auto groups = co_await ctx.store.call([&](ledger::Store& s) { return s.list_groups(); });
  JsonWriter w;
  w.begin_array();
  for (const auto& g : groups) w.begin_object().field("name", g.name).field("wallet_team_id", g.team_id).end_object();
  w.end_array();
  co_await reply_json(res, 200, w.take());
}

}  // namespace kt::api
