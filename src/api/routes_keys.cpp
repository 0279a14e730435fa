// Consumer keys made through the API (issue 13). POST /v1/keys makes one for a registered
// consumer group and shows it once (the store keeps its SHA-256); GET /v1/keys lists them (never
// a key or its hash); POST /v1/keys/revoke and DELETE /v1/keys/{id} revoke one; POST
// /v1/keys/rotate makes a successor and ends the old key after an overlap. Gateways sync the live
// keys' hashes (POST /v1/gateway/keys, every ~2 s) and report last uses in the same call.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/api_context.hpp"
#include "core/ids.hpp"
#include "core/log_text.hpp"
#include "core/period.hpp"
#include "core/secrets.hpp"
#include "wire/json_fields.hpp"
#include "wire/key_wire.hpp"
#include "wire/timestamp.hpp"

namespace kt::api {
namespace {

constexpr std::string_view kKeyPrefix = "kt_ck_";
constexpr int64_t kDefaultOverlapSeconds = 3600;

// Everything about a key but the key (and its hash).
void write_key_row(JsonWriter& w, const ledger::ConsumerKeyRow& k) {
  w.field("id", k.id).field("group", k.group).field("prefix", k.prefix);
  write_time(w, "created_at", k.created_at);
  write_time(w, "expires_at", k.expires_at);
  write_time(w, "last_used_at", k.last_used_at);
  write_time(w, "revoked_at", k.revoked_at);
  w.key("replaced_by");
  if (k.replaced_by.empty()) w.null();
  else w.value(k.replaced_by);
  w.key("rate_limits");
  wire::write_key_rate_limits(w, k.rate_limits);
  // A budget of its own: what the current period spent and has left (null: the wallet alone).
  w.key("budget");
  if (!k.budget) {
    w.null();
    for (const char* k : {"budget_period", "spent", "reserved", "remaining"}) w.key(k).null();
    return;
  }
  w.value(*k.budget).field("budget_period", k.budget_period).field("spent", k.spent);
  w.field("reserved", k.reserved).field("remaining", *k.budget - k.spent - k.reserved);
}

ledger::ConsumerKeyRow new_key_row(MintedSecret& minted) {
  ledger::ConsumerKeyRow row;
  row.id = new_id("ck_");
  row.prefix = minted.prefix;
  row.hash = minted.hash;
  return row;
}

std::string created_answer(const ledger::ConsumerKeyRow& row, const std::string& secret, const ledger::ConsumerKeyRow* replaces) {
  JsonWriter w;
  w.begin_object();
  write_key_row(w, row);
  w.field("key", secret);
  if (replaces) {
    w.key("replaces").begin_object();
    write_key_row(w, *replaces);
    w.end_object();
  }
  w.field("note", "store this key now: it is shown only once (kt keeps only its SHA-256)");
  w.end_object();
  return w.take();
}

// The body's fields, when it is a JSON object of `known` fields only.
std::optional<wire::JsonFields> parse_fields(const std::string& body, std::initializer_list<std::string_view> known, ApiError& err) {
  auto f = wire::JsonFields::parse(body, err);
  if (!f) return std::nullopt;
  for (const auto& [k, v] : f->all())
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      err = bad_request("unknown_field", "unknown field '" + k + "'");
      return std::nullopt;
    }
  return f;
}

// Which key a revoke or rotate names: {"id":"ck_..."} or {"key":"kt_ck_..."} (the key itself
// travels only in a body, never in a path). The id, or an error.
std::optional<std::string> named_key(const wire::JsonFields& f, const std::vector<ledger::ConsumerKeyRow>& rows, ApiError& err) {
  auto id = f.string("id", false, err);
  auto key = f.string("key", false, err);
  if (!err.code.empty()) return std::nullopt;
  if (id.has_value() == key.has_value()) {
    err = bad_request("invalid_field", "give either 'id' (ck_...) or 'key' (kt_ck_...)");
    return std::nullopt;
  }
  if (id) {
    for (const auto& r : rows)
      if (r.id == *id) return r.id;
    err = not_found("no consumer key with id '" + printable(*id, 80) + "'");
    return std::nullopt;
  }
  const std::string hash = hex_of(sha256(*key));
  for (const auto& r : rows)
    if (constant_time_equal(r.hash, hash)) return r.id;
  err = not_found("no consumer key matches the key given");
  return std::nullopt;
}

// {"requests_per_minute"?, "tokens_per_minute"?, "tokens_per_day"?}: each a positive integer.
std::optional<ledger::KeyRateLimits> parse_rate_limits(const wire::JsonField& field, ApiError& err) {
  if (field.kind != wire::JsonField::Kind::object) {
    err = bad_request("invalid_field", "'rate_limits' must be an object");
    return std::nullopt;
  }
  auto f = parse_fields(field.text, {"requests_per_minute", "tokens_per_minute", "tokens_per_day"}, err);
  if (!f) return std::nullopt;
  ledger::KeyRateLimits r{f->integer("requests_per_minute", false, err), f->integer("tokens_per_minute", false, err),
                          f->integer("tokens_per_day", false, err)};
  if (!err.code.empty()) return std::nullopt;
  for (const auto& v : {r.requests_per_minute, r.tokens_per_minute, r.tokens_per_day})
    if (v && *v <= 0) {
      err = bad_request("invalid_field", "each of 'rate_limits' must be a positive integer");
      return std::nullopt;
    }
  return r;
}

bool is_live(const ledger::ConsumerKeyRow& k, int64_t now) { return !k.revoked_at && (!k.expires_at || *k.expires_at > now); }

struct KeyOutcome {
  std::optional<ledger::ConsumerKeyRow> row, replaced;
  ApiError error;
};

}  // namespace

awaitable<void> post_key(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = parse_fields(req.body, {"group", "expires_in", "expires_at", "rate_limits", "budget", "budget_period"}, err);
  if (!f) co_return co_await reply_error(res, err);
  auto group = f->string("group", true, err);
  auto expires_in = f->string("expires_in", false, err);
  auto expires_at_text = f->string("expires_at", false, err);
  auto budget = f->money("budget", false, err);
  auto budget_period = f->string("budget_period", false, err);
  if (!err.code.empty()) co_return co_await reply_error(res, err);
  if (budget_period && !budget) co_return co_await reply_error(res, bad_request("invalid_field", "'budget_period' needs a 'budget'"));
  if (budget_period && *budget_period != "monthly" && *budget_period != "none")
    co_return co_await reply_error(res, bad_request("invalid_field", "'budget_period' must be monthly or none"));
  const int64_t now = now_unix_seconds();
  std::optional<int64_t> expires_at;
  if (expires_in && expires_at_text)
    co_return co_await reply_error(res, bad_request("invalid_field", "give 'expires_in' or 'expires_at', not both"));
  if (expires_in) {
    auto seconds = wire::parse_duration_seconds(*expires_in);
    if (!seconds) co_return co_await reply_error(res, bad_request("invalid_field", "'expires_in' must be a duration like 90s, 15m, 1h or 30d"));
    expires_at = now + *seconds;
  } else if (expires_at_text) {
    expires_at = wire::parse_timestamp(*expires_at_text);
    if (!expires_at || *expires_at <= now)
      co_return co_await reply_error(res, bad_request("invalid_field", "'expires_at' must be a time in the future (RFC 3339 or unix seconds)"));
  }
  ledger::KeyRateLimits limits;
  if (const auto* field = f->get("rate_limits")) {
    auto parsed = parse_rate_limits(*field, err);
    if (!parsed) co_return co_await reply_error(res, err);
    limits = *parsed;
  }
  MintedSecret minted = mint_secret(kKeyPrefix);
  ledger::ConsumerKeyRow row = new_key_row(minted);
  row.group = *group;
  row.expires_at = expires_at;
  row.rate_limits = limits;
  row.budget = budget;
  if (budget) row.budget_period = budget_period.value_or("monthly");
  auto outcome = co_await ctx.store.call([&](ledger::Store& s) {
    KeyOutcome o;
    // The gateways register their config's groups at start: a key for a group none of them has
    // would be refused at every gateway.
    std::string known;
    for (const auto& g : s.list_groups()) {
      if (g.name == row.group) {
        o.row = s.create_consumer_key(row, now);
        return o;
      }
      known += (known.empty() ? "" : ", ") + g.name;
    }
    o.error = bad_request("unknown_group", "no gateway has registered a consumer group named '" + printable(row.group, 100) +
                                               "' (registered: " + (known.empty() ? "none" : known) + ")");
    return o;
  });
  if (!outcome.row) co_return co_await reply_error(res, outcome.error);
  spdlog::info("consumer key {} ({}) created for group '{}'", outcome.row->id, outcome.row->prefix, printable(outcome.row->group));
  co_await reply_json(res, 201, created_answer(*outcome.row, minted.secret, nullptr));
}

awaitable<void> get_keys(ApiContext& ctx, http::Request&, http::ResponseWriter& res) {
  auto rows = co_await ctx.store.call([&](ledger::Store& s) {
    auto keys = s.list_consumer_keys();
    s.fill_key_spend(keys, now_unix_seconds());
    return keys;
  });
  co_await reply_json(res, 200, rows_json("keys", rows, write_key_row));
}

awaitable<void> revoke_key(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  std::optional<wire::JsonFields> f;
  ApiError err;
  std::string path_id;
  if (req.method == "DELETE") {
    path_id = std::string(req.path().substr(std::string_view("/v1/keys/").size()));
  } else {
    f = parse_fields(req.body, {"id", "key"}, err);
    if (!f) co_return co_await reply_error(res, err);
  }
  auto outcome = co_await ctx.store.call([&](ledger::Store& s) {
    KeyOutcome o;
    std::optional<std::string> id = path_id;
    if (f) id = named_key(*f, s.list_consumer_keys(), o.error);
    if (id) o.row = s.revoke_consumer_key(*id, now_unix_seconds());
    if (id && !o.row) o.error = not_found("no consumer key with id '" + printable(*id, 80) + "'");
    return o;
  });
  if (!outcome.row) co_return co_await reply_error(res, outcome.error);
  spdlog::info("consumer key {} ({}) of group '{}' revoked", outcome.row->id, outcome.row->prefix, printable(outcome.row->group));
  co_await reply_json(res, 200, rows_json(nullptr, std::vector{*outcome.row}, write_key_row));
}

awaitable<void> rotate_key(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = parse_fields(req.body, {"id", "key", "overlap"}, err);
  if (!f) co_return co_await reply_error(res, err);
  auto overlap_text = f->string("overlap", false, err);
  if (!err.code.empty()) co_return co_await reply_error(res, err);
  int64_t overlap = kDefaultOverlapSeconds;
  if (overlap_text) {
    auto seconds = wire::parse_duration_seconds(*overlap_text);
    if (!seconds) co_return co_await reply_error(res, bad_request("invalid_field", "'overlap' must be a duration like 90s, 15m, 1h or 30d"));
    overlap = *seconds;
  }
  MintedSecret minted = mint_secret(kKeyPrefix);
  ledger::ConsumerKeyRow fresh = new_key_row(minted);
  auto outcome = co_await ctx.store.call([&](ledger::Store& s) {
    KeyOutcome o;
    const int64_t now = now_unix_seconds();
    auto rows = s.list_consumer_keys();
    auto id = named_key(*f, rows, o.error);
    if (!id) return o;
    auto old = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.id == *id; });
    fresh.expires_at = old->expires_at;  // the successor lives as long as the old key would have
    auto pair = is_live(*old, now) ? s.rotate_consumer_key(*id, fresh, now + overlap, now) : std::nullopt;
    if (!pair) {
      o.error = ApiError{409, "invalid_request_error", "key_not_live", "consumer key " + *id + " is revoked or expired: create a new key instead"};
      return o;
    }
    o.replaced = pair->first;
    o.row = pair->second;
    return o;
  });
  if (!outcome.row) co_return co_await reply_error(res, outcome.error);
  spdlog::info("consumer key {} ({}) of group '{}' rotated to {} ({}); the old key ends in {} s", outcome.replaced->id,
               outcome.replaced->prefix, printable(outcome.row->group), outcome.row->id, outcome.row->prefix, overlap);
  co_await reply_json(res, 201, created_answer(*outcome.row, minted.secret, &*outcome.replaced));
}

awaitable<void> post_gateway_keys(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto uses = wire::decode_key_uses(req.body, err);
  if (!uses) co_return co_await reply_error(res, err);
  auto live = co_await ctx.store.call([&](ledger::Store& s) {
    s.touch_consumer_keys(*uses);
    const int64_t now = now_unix_seconds();
    auto rows = s.list_consumer_keys();
    std::erase_if(rows, [&](const auto& k) { return !is_live(k, now); });
    return rows;
  });
  co_await reply_json(res, 200, wire::encode_live_keys(live));
}

}  // namespace kt::api
