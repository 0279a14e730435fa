// `kt tokens create|list|revoke`: scoped API tokens (admin only). `create` prints the token alone
// on stdout (TOKEN=$(kt tokens create ...)) and what it is on stderr: it is shown only once.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/api_client.hpp"
#include "cli/api_objects.hpp"
#include "cli/commands.hpp"
#include "core/json_writer.hpp"

namespace kt::cli {

int tokens_create(const TokensArgs& a) {
  JsonWriter w;
  w.begin_object().field("name", a.name).field("scope", a.scope).end_object();
  int rc = 0;
  auto body = call_for_text("POST", "/v1/tokens", w.take(), a.format, rc);
  if (!body) return rc;
  auto t = parse_api_object(*body, "a token object");
  if (!t || field_of(*t, "token") == "-") return 1;
  std::fprintf(stderr, "created API token %s '%s' (scope %s). It is shown only this once: store it now.\n",
               field_of(*t, "id").c_str(), field_of(*t, "name").c_str(), field_of(*t, "scope").c_str());
  std::printf("%s\n", field_of(*t, "token").c_str());
  return 0;
}

int tokens_list(const TokensArgs& a) {
  return print_list("/v1/tokens", "tokens", "a token list",
                    {{"ID", "id", 28}, {"NAME", "name", 20}, {"SCOPE", "scope", 8}, {"PREFIX", "prefix", 16},
                     {"CREATED", "created_at", 20}, {"LAST USED", "last_used_at", 20}, {"REVOKED", "revoked_at", 0}},
                    a.format);
}

int tokens_revoke(const TokensArgs& a) {
  int rc = 0;
  auto body = call_for_text("DELETE", "/v1/tokens/" + url_encode(a.id), "", a.format, rc);
  if (!body) return rc;
  auto t = parse_api_object(*body, "a token object");
  if (!t) return 1;
  std::printf("revoked API token %s '%s' (scope %s) at %s\n", field_of(*t, "id").c_str(), field_of(*t, "name").c_str(),
              field_of(*t, "scope").c_str(), field_of(*t, "revoked_at").c_str());
  return 0;
}

}  // namespace kt::cli
