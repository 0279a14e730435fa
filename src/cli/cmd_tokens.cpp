// `kt tokens create|list|revoke`: scoped API tokens (admin only). `create` prints the token alone
// on stdout (TOKEN=$(kt tokens create ...)) and what it is on stderr: it is shown only once.
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"
#include "core/json_writer.hpp"

namespace kt::cli {
namespace sj = simdjson::ondemand;

namespace {

struct TokenLine {
  std::string id, name, scope, prefix, created_at, last_used_at, revoked_at, token;
};

std::string text_or_dash(sj::value v) {
  if (v.is_null()) return "-";
  std::string_view s;
  return v.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : "-";
}

TokenLine read_token(sj::object o) {
  TokenLine t;
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "id") t.id = text_or_dash(v);
    else if (k == "name") t.name = text_or_dash(v);
    else if (k == "scope") t.scope = text_or_dash(v);
    else if (k == "prefix") t.prefix = text_or_dash(v);
    else if (k == "created_at") t.created_at = text_or_dash(v);
    else if (k == "last_used_at") t.last_used_at = text_or_dash(v);
    else if (k == "revoked_at") t.revoked_at = text_or_dash(v);
    else if (k == "token") t.token = text_or_dash(v);
  }
  return t;
}

// One token object from an API answer; nullopt (after saying so) when it is not one.
std::optional<TokenLine> parse_token(const std::string& body) {
  try {
    simdjson::padded_string ps(body);
    sj::parser p;
    auto doc = p.iterate(ps);
    return read_token(doc.get_object());
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: the API's answer is not a token object\n");
    return std::nullopt;
  }
}

}  // namespace

int tokens_create(const TokensArgs& a) {
  auto api = ApiClient::from_env();
  if (!api) return 2;
  JsonWriter w;
  w.begin_object().field("name", a.name).field("scope", a.scope).end_object();
  auto resp = api->send("POST", "/v1/tokens", w.take());
  if (!resp) return 1;
  if (a.format == "json") {
    std::printf("%s\n", resp->body.c_str());
    return 0;
  }
  auto t = parse_token(resp->body);
  if (!t || t->token.empty() || t->token == "-") return 1;
  std::fprintf(stderr, "created API token %s '%s' (scope %s). It is shown only this once: store it now.\n",
               t->id.c_str(), t->name.c_str(), t->scope.c_str());
  std::printf("%s\n", t->token.c_str());
  return 0;
}

int tokens_list(const TokensArgs& a) {
  auto api = ApiClient::from_env();
  if (!api) return 2;
  auto resp = api->get("/v1/tokens");
  if (!resp) return 1;
  if (a.format == "json") {
    std::printf("%s\n", resp->body.c_str());
    return 0;
  }
  std::vector<TokenLine> rows;
  try {
    simdjson::padded_string ps(resp->body);
    sj::parser p;
    auto doc = p.iterate(ps);
    for (auto item : doc["tokens"].get_array()) rows.push_back(read_token(item.get_object()));
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: the API's answer is not a token list\n");
    return 1;
  }
  std::printf("%-28s %-20s %-8s %-16s %-20s %-20s %s\n", "ID", "NAME", "SCOPE", "PREFIX", "CREATED", "LAST USED", "REVOKED");
  for (const auto& t : rows)
    std::printf("%-28s %-20s %-8s %-16s %-20s %-20s %s\n", t.id.c_str(), t.name.c_str(), t.scope.c_str(),
                t.prefix.c_str(), t.created_at.c_str(), t.last_used_at.c_str(), t.revoked_at.c_str());
  return 0;
}

int tokens_revoke(const TokensArgs& a) {
  auto api = ApiClient::from_env();
  if (!api) return 2;
  auto resp = api->send("DELETE", "/v1/tokens/" + url_encode(a.id));
  if (!resp) return 1;
  if (a.format == "json") {
    std::printf("%s\n", resp->body.c_str());
    return 0;
  }
  auto t = parse_token(resp->body);
  if (!t) return 1;
  std::printf("revoked API token %s '%s' (scope %s) at %s\n", t->id.c_str(), t->name.c_str(), t->scope.c_str(),
              t->revoked_at.c_str());
  return 0;
}

}  // namespace kt::cli
