#pragma once
// Each `kt` subcommand is one function returning the process exit code.
#include <cstdint>
#include <string>

namespace kt::cli {

void setup_logging();

int policy_lint(const std::string& file, bool json);

struct SpendArgs {
  std::string team;
  bool all = false;
  std::string period;  // "2026-04"; empty = current
  std::string format = "text";
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

struct TokensArgs {
  std::string name, scope, id;
  std::string format = "text";
};
int tokens_create(const TokensArgs& a);
int tokens_list(const TokensArgs& a);
int tokens_revoke(const TokensArgs& a);

}  // namespace kt::cli
