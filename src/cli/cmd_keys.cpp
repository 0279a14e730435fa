// `kt keys create|list|revoke|rotate`: consumer keys made through the API. `create` and `rotate`
// print the new key alone on stdout (KEY=$(kt keys create ...)) and what it is on stderr: it is
// shown only once. A key given on the command line (KEY_OR_ID) travels in a request body, never
// in a path.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/api_objects.hpp"
#include "cli/commands.hpp"
#include "core/json_writer.hpp"
#include "core/money.hpp"

namespace kt::cli {
namespace {

// {"key": ...} for a kt_ck_ key, {"id": ...} for anything else.
void write_key_or_id(JsonWriter& w, const std::string& key_or_id) {
  w.field(key_or_id.starts_with("kt_ck_") ? "key" : "id", key_or_id);
}

// Prints the new key of a create or rotate answer on stdout and what it is on stderr.
int print_new_key(const std::optional<std::string>& body, int rc, const char* verb) {
  if (!body) return rc;
  auto k = parse_api_object(*body, "a consumer key object");
  if (!k || field_of(*k, "key") == "-") return 1;
  std::fprintf(stderr, "%s consumer key %s (%s) for group '%s', expires %s. It is shown only this once: store it now.\n", verb,
               field_of(*k, "id").c_str(), field_of(*k, "prefix").c_str(), field_of(*k, "group").c_str(),
               field_of(*k, "expires_at") == "-" ? "never" : field_of(*k, "expires_at").c_str());
  std::printf("%s\n", field_of(*k, "key").c_str());
  return 0;
}

std::string key_or_id_body(const KeysArgs& a, bool with_overlap) {
  JsonWriter w;
  w.begin_object();
  write_key_or_id(w, a.key_or_id);
  if (with_overlap) w.field("overlap", a.overlap);
  w.end_object();
  return w.take();
}

}  // namespace

int keys_create(const KeysArgs& a) {
  JsonWriter w;
  w.begin_object().field("group", a.group);
  // A time has a date ("2026-05-01T00:00:00Z"); anything else is a duration ("30d").
  if (!a.expires.empty()) w.field(a.expires.find('-') != std::string::npos ? "expires_at" : "expires_in", a.expires);
  if (!a.budget.empty()) {
    auto budget = Money::parse(a.budget);
    if (!budget || budget->is_negative()) {
      std::fprintf(stderr, "error: --budget must be an amount in USD, like 25 or 12.50\n");
      return 2;
    }
    w.field("budget", *budget).field("budget_period", a.period);
  }
  if (a.rpm || a.tpm || a.tpd) {
    w.key("rate_limits").begin_object();
    if (a.rpm) w.field("requests_per_minute", *a.rpm);
    if (a.tpm) w.field("tokens_per_minute", *a.tpm);
    if (a.tpd) w.field("tokens_per_day", *a.tpd);
    w.end_object();
  }
  w.end_object();
  int rc = 0;
  auto body = call_for_text("POST", "/v1/keys", w.take(), a.format, rc);
  return print_new_key(body, rc, "created");
}

int keys_list(const KeysArgs& a) {
  return print_list("/v1/keys", "keys", "a consumer key list",
                    {{"ID", "id", 28}, {"PREFIX", "prefix", 16}, {"GROUP", "group", 16}, {"CREATED", "created_at", 20},
                     {"LAST USED", "last_used_at", 20}, {"EXPIRES", "expires_at", 20}, {"REVOKED", "revoked_at", 20},
                     {"BUDGET", "budget", 12}, {"SPENT", "spent", 12}, {"REMAINING", "remaining", 0}},
                    a.format);
}

int keys_revoke(const KeysArgs& a) {
  int rc = 0;
  auto body = call_for_text("POST", "/v1/keys/revoke", key_or_id_body(a, false), a.format, rc);
  if (!body) return rc;
  auto k = parse_api_object(*body, "a consumer key object");
  if (!k) return 1;
  std::printf("revoked consumer key %s (%s) of group '%s' at %s; every gateway refuses it within 5 s\n", field_of(*k, "id").c_str(),
              field_of(*k, "prefix").c_str(), field_of(*k, "group").c_str(), field_of(*k, "revoked_at").c_str());
  return 0;
}

int keys_rotate(const KeysArgs& a) {
  int rc = 0;
  auto body = call_for_text("POST", "/v1/keys/rotate", key_or_id_body(a, true), a.format, rc);
  return print_new_key(body, rc, "rotated (the old key works for the overlap only): new");
}

std::function<std::optional<int>()> add_keys_commands(CLI::App& app) {
  auto args = std::make_shared<KeysArgs>();
  auto* keys = app.add_subcommand("keys", "Consumer keys made through the API (create, list, revoke, rotate); needs the admin token");
  keys->require_subcommand(1);
  auto* create = keys->add_subcommand("create", "Make a consumer key for a group; prints it once, on stdout");
  create->add_option("--group", args->group, "a consumer group of the gateways' config")->required();
  create->add_option("--expires", args->expires, "a duration (30d, 12h) or a time (RFC 3339); default never");
  create->add_option("--budget", args->budget, "the key's own budget in USD, inside its team's wallet (both must fit)");
  create->add_option("--period", args->period, "the budget's period: monthly (UTC months) or none")
      ->check(CLI::IsMember({"monthly", "none"}))
      ->capture_default_str();
  create->add_option("--rpm", args->rpm, "the key's own requests per minute (inside its group's limits)");
  create->add_option("--tpm", args->tpm, "the key's own tokens per minute (inside its group's limits)");
  create->add_option("--tpd", args->tpd, "the key's own tokens per day (inside its group's limits)");
  auto* list = keys->add_subcommand("list", "List the keys: id, prefix, group, creation, last use (never the keys)");
  auto* revoke = keys->add_subcommand("revoke", "Revoke a key: every gateway refuses it within 5 s");
  revoke->add_option("key_or_id", args->key_or_id, "the key (kt_ck_...) or its id (ck_...)")->required();
  auto* rotate = keys->add_subcommand("rotate", "Make a new key for the same group; the old one ends after the overlap");
  rotate->add_option("key_or_id", args->key_or_id, "the key (kt_ck_...) or its id (ck_...)")->required();
  rotate->add_option("--overlap", args->overlap, "how long the old key keeps working (90s, 15m, 1h, 30d)")->capture_default_str();
  for (auto* c : {create, list, revoke, rotate})
    c->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  return [=]() -> std::optional<int> {
    if (*create) return keys_create(*args);
    if (*list) return keys_list(*args);
    if (*revoke) return keys_revoke(*args);
    if (*rotate) return keys_rotate(*args);
    return std::nullopt;
  };
}

}  // namespace kt::cli
