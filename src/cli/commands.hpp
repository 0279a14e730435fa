#pragma once
// Each `kt` subcommand is one function returning the process exit code.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace kt::cli {

void setup_logging();

int policy_lint(const std::string& file, bool json);
// `kt policy test --config C FILES... [--json]`: 0 all cases pass, 1 a mismatch, 2 bad input.
int policy_test(const std::string& config_file, const std::vector<std::string>& files, bool json);

struct SpendArgs {
  std::string team;
  bool all = false;
  std::string period;  // "2026-04"; empty = current
  std::string format = "text";  // text | json | csv (csv: with `by`)
  std::string by;               // model | day | group: the period's spend grouped
};
int spend(const SpendArgs& a);

struct EventsTailArgs {
  int64_t last = 20;
  std::string format = "table";
  bool follow = false;
  std::string type = "decision";
  std::string team;
};
int events_tail(const EventsTailArgs& a);

struct EventsWhyArgs {
  std::string id;
  std::string format = "text";
};
// `kt events why EVENT_ID`: GET /v1/events/{id}/explain, its explanation lines (or the JSON).
int events_why(const EventsWhyArgs& a);

struct EventsExportArgs {
  std::string since, until, output, team;
  std::string format = "csv";
  std::string type = "all";
  int64_t page_size = 1000;
};
// `kt events export`: events in [since, until) to a CSV or JSON file, page by page (cmd_export.cpp).
int events_export(const EventsExportArgs& a);

struct TokensArgs {
  std::string name, scope, id;
  std::string format = "text";
};
int tokens_create(const TokensArgs& a);
int tokens_list(const TokensArgs& a);
int tokens_revoke(const TokensArgs& a);

struct KeysArgs {
  std::string group, expires, key_or_id, overlap = "1h";
  std::string format = "text";
  std::optional<int64_t> rpm, tpm, tpd;  // the key's own rate limits (create)
  std::string budget, period = "monthly";  // the key's own budget (create)
};
int keys_create(const KeysArgs& a);
int keys_list(const KeysArgs& a);
int keys_revoke(const KeysArgs& a);
int keys_rotate(const KeysArgs& a);
// Registers `kt keys ...` on `app`; after parsing, the returned function runs the subcommand
// chosen (nullopt when none was).
std::function<std::optional<int>()> add_keys_commands(CLI::App& app);

}  // namespace kt::cli
