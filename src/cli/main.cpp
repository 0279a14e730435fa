// kt: the keeptrusts command line (API server, gateway, lint, spend, events, tokens).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>
#ifdef KT_MIMALLOC
#include <mimalloc.h>
#endif

#include "api/api_server.hpp"
#include "cli/cmd_ledger.hpp"
#include "cli/commands.hpp"
#include "cli/server_flags.hpp"
#include "gateway/gateway_main.hpp"

namespace {

// The allocator serving malloc in this process (CMake's KT_MALLOC). For mimalloc it is checked on a
// live allocation: a link order that let glibc's malloc win would show here (and fail the
// `allocator` test) instead of quietly costing ~12 % of the gateway's CPU.
std::string version_text() {
  std::string allocator = KT_ALLOCATOR;
#ifdef KT_MIMALLOC
  void* probe = std::malloc(64);
  bool serving = mi_is_in_heap_region(probe);
  std::free(probe);
  int v = mi_version();
  allocator += serving ? " " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10)
                       : " (linked, but not serving malloc)";
#endif
  return "kt 0.1.0 (allocator: " + allocator + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"keeptrusts: an LLM gateway with exact cost tracking and team budgets", "kt"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text());

  auto* api = app.add_subcommand("api", "The Keeptrusts API (pricing, wallets, ledger, events)");
  api->require_subcommand(1);
  kt::api::ApiOptions api_opts;
  auto* serve = api->add_subcommand("serve", "Serve the API");
  serve->add_option("--listen", api_opts.listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--database", api_opts.database, "sqlite:PATH, sqlite::memory: or postgresql://user@host:port/db")->capture_default_str();
  serve->add_option("--token-env", api_opts.token_env, "env var holding the admin token")->capture_default_str();
  serve->add_option("--threads", api_opts.threads, "I/O threads")->capture_default_str();
  serve->add_option("--database-connections", api_opts.database_connections,
                    "PostgreSQL connections, driven concurrently from one store thread")
      ->capture_default_str()
      ->check(CLI::Range(size_t(1), size_t(64)));
  serve->add_option("--reservation-ttl", api_opts.reservation_ttl_seconds,
                    "seconds after which a held reservation is returned to its wallet")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(86400)));
  serve->add_option("--lease-grace", api_opts.lease_grace_seconds,
                    "seconds past its expiry that a lease of an open gateway log is kept for that log's settles")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(0), int64_t(7 * 86400)));
  serve->add_option("--event-retention-days", api_opts.event_retention_days,
                    "days decision and alert events are kept (0: forever); spend reports are not affected")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(0), int64_t(100000)));
  serve->add_option("--store-nice", api_opts.store_nice,
                    "nice value of the database thread, 0-19 (raise it when gateways share the API's cores)")
      ->capture_default_str()
      ->check(CLI::Range(0, 19));
  serve->add_option("--ui-dir", api_opts.ui_dir, "the dashboard's files (default: <kt's folder>/ui)");
  kt::cli::add_server_limit_flags(*serve, api_opts.limits);
  std::string migrate_db;
  auto* migrate = api->add_subcommand("migrate", "Apply the ledger schema migrations and exit");
  migrate->add_option("--database", migrate_db, "sqlite:PATH or postgresql://user@host:port/db")
      ->required()
      ->envname("KEEPTRUSTS_DATABASE_URL");

  auto* gw = app.add_subcommand("gateway", "The LLM gateway");
  gw->require_subcommand(1);
  kt::gateway::GatewayOptions gw_opts;
  int port = 0;
  auto* run = gw->add_subcommand("run", "Run the gateway");
  run->add_option("--policy-config", gw_opts.policy_config, "gateway config (YAML)")->required()->check(CLI::ExistingFile);
  auto* port_opt = run->add_option("--port", port, "port to listen on (all interfaces)")->check(CLI::Range(1, 65535));
  run->add_option("--listen", gw_opts.listen, "HOST:PORT to listen on")->capture_default_str()->excludes(port_opt);
  run->add_option("--threads", gw_opts.threads, "I/O threads (0: one per core)")->capture_default_str();
  run->add_option("--spool-dir", gw_opts.spool_dir, "the gateway's ledger logs (what it owes the ledger)")
      ->capture_default_str();
  kt::cli::add_server_limit_flags(*run, gw_opts.limits);
  kt::gateway::DrainOptions drain_opts;
  auto* drain = gw->add_subcommand("drain", "Ship the ledger logs a stopped or killed gateway left in a spool folder");
  drain->add_option("--spool-dir", drain_opts.spool_dir, "the dead gateway's --spool-dir")->required();
  drain->add_option("--policy-config", drain_opts.policy_config, "its config (for api.url and the token's env var)")
      ->check(CLI::ExistingFile);
  drain->add_option("--api-url", drain_opts.api_url, "the API (default: the config's api.url, else KEEPTRUSTS_API_URL)");
  drain->add_option("--token-env", drain_opts.token_env, "env var holding the API token")->capture_default_str();
  drain->add_option("--timeout", drain_opts.timeout_seconds, "seconds to keep trying per log")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(86400)));

  auto* policy = app.add_subcommand("policy", "Policy configuration tools");
  policy->require_subcommand(1);
  std::string lint_file;
  bool lint_json = false;
  auto* lint = policy->add_subcommand("lint", "Validate a gateway config");
  lint->add_option("--file,-f", lint_file, "config file")->required();
  lint->add_flag("--json", lint_json, "machine-readable output");
  std::string test_config;
  std::vector<std::string> test_files;
  bool test_json = false;
  auto* ptest = policy->add_subcommand("test", "Run golden cases (YAML/JSON) through a config's policies");
  ptest->add_option("--config,-c", test_config, "gateway config (YAML)")->required()->check(CLI::ExistingFile);
  ptest->add_option("files", test_files, "case files")->required()->check(CLI::ExistingFile);
  ptest->add_flag("--json", test_json, "machine-readable output (for CI)");

  kt::cli::SpendArgs spend_args;
  auto* spend = app.add_subcommand("spend", "Spend per team for the current period");
  auto* team_opt = spend->add_option("--team", spend_args.team, "consumer group name or wallet team id");
  spend->add_flag("--all", spend_args.all, "all teams")->excludes(team_opt);
  spend->add_option("--period", spend_args.period, "YYYY-MM (default: current)");
  spend->add_option("--format", spend_args.format, "text, json (or csv with --by)")
      ->check(CLI::IsMember({"text", "json", "csv"}));
  spend->add_option("--by", spend_args.by, "model, day (UTC), group, user, tag or key: the period's spend grouped")
      ->check(CLI::IsMember({"model", "day", "group", "user", "tag", "key"}));

  auto* events = app.add_subcommand("events", "Decision and alert events");
  events->require_subcommand(1);
  kt::cli::EventsTailArgs tail_args;
  auto* tail = events->add_subcommand("tail", "Show the newest events");
  tail->add_option("--last,--limit,-n", tail_args.last, "how many")->check(CLI::Range(1, 10000))->capture_default_str();
  tail->add_option("--format", tail_args.format, "json or table")->capture_default_str();
  tail->add_flag("--follow,-f", tail_args.follow, "keep printing new events");
  tail->add_option("--type", tail_args.type, "decision, alert or all")->capture_default_str();
  tail->add_option("--team", tail_args.team, "only this consumer group / wallet team");
  kt::cli::EventsWhyArgs why_args;
  auto* why = events->add_subcommand("why", "Explain a decision: prices, estimate, hold, settle, what would pass");
  why->add_option("id", why_args.id, "the decision event's id (evt_...)")->required();
  why->add_option("--format", why_args.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  kt::cli::EventsExportArgs export_args;
  auto* exp = events->add_subcommand("export", "Events between two times to a CSV or JSON file (streamed)");
  exp->add_option("--since", export_args.since, "unix seconds or RFC 3339 (inclusive)")->required();
  exp->add_option("--until", export_args.until, "unix seconds or RFC 3339 (exclusive; default now)");
  exp->add_option("--format", export_args.format, "csv or json")->capture_default_str();
  exp->add_option("--output,-o", export_args.output, "the file to write")->required();
  exp->add_option("--type", export_args.type, "decision, alert or all")->capture_default_str();
  exp->add_option("--team", export_args.team, "only this consumer group / wallet team");
  exp->add_option("--page-size", export_args.page_size, "events per API call")->check(CLI::Range(1, 10000))->capture_default_str();

  auto* tokens = app.add_subcommand("tokens", "Scoped API tokens (admin, gateway, viewer); needs the admin token");
  tokens->require_subcommand(1);
  kt::cli::TokensArgs token_args;
  auto* token_create = tokens->add_subcommand("create", "Make a token; prints it once, on stdout");
  token_create->add_option("--name", token_args.name, "a label, unique among the tokens not revoked")->required();
  token_create->add_option("--scope", token_args.scope, "admin, gateway or viewer")
      ->required()
      ->check(CLI::IsMember({"admin", "gateway", "viewer"}));
  auto* token_list = tokens->add_subcommand("list", "List the tokens (never the tokens themselves)");
  auto* token_revoke = tokens->add_subcommand("revoke", "Revoke a token: every API replica refuses it within 5 s");
  token_revoke->add_option("id", token_args.id, "the token's id (tok_...)")->required();
  for (auto* c : {token_create, token_list, token_revoke})
    c->add_option("--format", token_args.format, "text or json")->check(CLI::IsMember({"text", "json"}));

  auto run_keys = kt::cli::add_keys_commands(app);

  auto* ledger = app.add_subcommand("ledger", "Ledger database tools");
  ledger->require_subcommand(1);
  kt::cli::LedgerVerifyArgs verify_args;
  auto* verify = ledger->add_subcommand("verify", "Check the ledger's invariants; exit 1 on a violation");
  verify->add_option("--database", verify_args.database, "sqlite:PATH or postgresql://user@host:port/db")
      ->required()
      ->envname("KEEPTRUSTS_DATABASE_URL");
  verify->add_option("--reservation-ttl", verify_args.reservation_ttl, "oldest allowed hold (900, 900s, 15m, 1h)")
      ->capture_default_str();
  verify->add_option("--format", verify_args.format, "text or json")->check(CLI::IsMember({"text", "json"}));

  CLI11_PARSE(app, argc, argv);
  kt::cli::setup_logging();

  if (*serve) return kt::api::run_api_server(api_opts);
  if (*migrate) return kt::cli::api_migrate(migrate_db);
  if (*verify) return kt::cli::ledger_verify(verify_args);
  if (*run) {
    if (port) gw_opts.listen = "0.0.0.0:" + std::to_string(port);
    return kt::gateway::run_gateway(gw_opts);
  }
  if (*drain) return kt::gateway::drain_spool(drain_opts);
  if (*lint) return kt::cli::policy_lint(lint_file, lint_json);
  if (*ptest) return kt::cli::policy_test(test_config, test_files, test_json);
  if (*spend) return kt::cli::spend(spend_args);
  if (*tail) return kt::cli::events_tail(tail_args);
  if (*why) return kt::cli::events_why(why_args);
  if (*exp) return kt::cli::events_export(export_args);
  if (*token_create) return kt::cli::tokens_create(token_args);
  if (*token_list) return kt::cli::tokens_list(token_args);
  if (*token_revoke) return kt::cli::tokens_revoke(token_args);
  if (auto rc = run_keys()) return *rc;
  return 2;
}
