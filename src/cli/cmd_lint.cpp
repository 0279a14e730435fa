// `kt policy lint --file F [--json]`: schema errors with file:line:col; non-zero exit on errors.
#include <cstdio>

#include "cli/commands.hpp"
#include "config/gateway_config.hpp"
#include "config/lint_report.hpp"

namespace kt::cli {

int policy_lint(const std::string& file, bool json) {
  auto result = config::load_gateway_config_file(file);
  std::string out = json ? config::render_lint_json(result, file) : config::render_lint_text(result, file);
  std::fputs(out.c_str(), stdout);
  if (!out.empty() && out.back() != '\n') std::fputc('\n', stdout);
  return result.ok() ? 0 : 1;
}

}  // namespace kt::cli
