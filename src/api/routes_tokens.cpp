// Scoped API tokens (admin only): POST /v1/tokens makes one and shows it once; GET /v1/tokens
// lists them (never a token or its hash); DELETE /v1/tokens/{id} or POST /v1/tokens/{id}/revoke
// revokes one. This process's view of the tokens is reloaded before each answer, so a token
// works (or stops working) here at once; other replicas follow within TokenCache::kMaxAge.
#include <spdlog/spdlog.h>

#include "api/api_context.hpp"
#include "wire/json_fields.hpp"
#include "core/log_text.hpp"
#include "core/period.hpp"

namespace kt::api {
namespace {

constexpr size_t kMaxNameBytes = 100;

struct CreateOutcome {
  ledger::ApiToken row;
  std::string name_taken;  // non-empty: refused, nothing changed
};

// A failed reload is not the caller's failure: the token was made or revoked, and the periodic
// reload (or the view's age limit) catches up within seconds.
void reload_quietly(TokenCache& tokens, ledger::Store& s) {
  try {
    tokens.refresh(s);
  } catch (const std::exception& e) {
    spdlog::warn("reloading the API tokens failed (the periodic reload retries): {}", printable(e.what(), 300));
  }
}

// Everything about a token but the token (and its hash).
void write_token_row(JsonWriter& w, const ledger::ApiToken& t) {
  w.field("id", t.id).field("name", t.name).field("scope", t.scope).field("prefix", t.prefix);
  write_time(w, "created_at", t.created_at);
  write_time(w, "last_used_at", t.last_used_at);
  write_time(w, "revoked_at", t.revoked_at);
}

std::optional<ApiError> invalid_name(const std::string& name) {
  bool blank = true;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return bad_request("invalid_field", "'name' must not contain control characters");
    blank = blank && c == ' ';
  }
  if (blank) return bad_request("invalid_field", "'name' must not be empty");
  if (name.size() > kMaxNameBytes)
    return bad_request("invalid_field", "'name' must be at most " + std::to_string(kMaxNameBytes) + " bytes");
  return std::nullopt;
}

// "/v1/tokens/{id}" and "/v1/tokens/{id}/revoke": the route table matched the shape already.
std::string token_id_of(std::string_view path) {
  path.remove_prefix(std::string_view("/v1/tokens/").size());
  return std::string(path.substr(0, path.find('/')));
}

}  // namespace

void write_time(JsonWriter& w, const char* key, std::optional<int64_t> unix_seconds) {
  w.key(key);
  if (unix_seconds) w.value(format_rfc3339_seconds(*unix_seconds));
  else w.null();
}

awaitable<void> post_token(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  ApiError err;
  auto f = wire::JsonFields::parse(req.body, err);
  if (!f) co_return co_await reply_error(res, err);
  for (const auto& [k, v] : f->all())
    if (k != "name" && k != "scope") co_return co_await reply_error(res, bad_request("unknown_field", "unknown field '" + k + "'"));
  auto name = f->string("name", true, err);
  auto scope_text = f->string("scope", true, err);
  if (!name || !scope_text) co_return co_await reply_error(res, err);
  if (auto e = invalid_name(*name)) co_return co_await reply_error(res, *e);
  auto scope = scope_named(*scope_text);
  if (!scope) co_return co_await reply_error(res, bad_request("invalid_field", "'scope' must be one of admin, gateway, viewer"));
  MintedToken minted = mint_token(*name, *scope);
  auto outcome = co_await ctx.store.call([&](ledger::Store& s) {
    CreateOutcome o;
    try {
      o.row = s.create_api_token(minted.row, now_unix_seconds());
    } catch (const ledger::TokenNameTaken& e) {
      o.name_taken = e.what();
      return o;
    }
    reload_quietly(ctx.tokens, s);
    return o;
  });
  if (!outcome.name_taken.empty()) {
    ApiError conflict{409, "invalid_request_error", "token_name_taken", outcome.name_taken};
    co_return co_await reply_error(res, conflict);
  }
  spdlog::info("API token {} ('{}', scope {}) created", outcome.row.id, printable(outcome.row.name), outcome.row.scope);
  JsonWriter w;
  w.begin_object();
  write_token_row(w, outcome.row);
  w.field("token", minted.secret);
  w.field("note", "store this token now: it is shown only once (kt keeps only its SHA-256)");
  w.end_object();
  co_await reply_json(res, 201, w.take());
}

awaitable<void> get_tokens(ApiContext& ctx, http::Request&, http::ResponseWriter& res) {
  auto rows = co_await ctx.store.call([&](ledger::Store& s) { return s.list_api_tokens(); });
  co_await reply_json(res, 200, rows_json("tokens", rows, write_token_row));
}

awaitable<void> revoke_token(ApiContext& ctx, http::Request& req, http::ResponseWriter& res) {
  const std::string id = token_id_of(req.path());
  auto row = co_await ctx.store.call([&](ledger::Store& s) {
    auto r = s.revoke_api_token(id, now_unix_seconds());
    if (r) reload_quietly(ctx.tokens, s);
    return r;
  });
  if (!row) co_return co_await reply_error(res, not_found("no API token with id '" + id + "'"));
  spdlog::info("API token {} ('{}', scope {}) revoked", row->id, printable(row->name), row->scope);
  co_await reply_json(res, 200, rows_json(nullptr, std::vector{*row}, write_token_row));
}

}  // namespace kt::api
