#pragma once
// The output of `kt policy lint`: a text report for people and a JSON report for CI.
#include <string>

#include "config/gateway_config.hpp"

namespace kt::config {

// Success: "OK policy-config.yaml is valid: 1 target, 2 consumer groups, 4 budget alerts, 1 policy"
// then each warning. Failure: every diagnostic (format_diagnostic), a blank line between them,
// then "2 errors" (", 1 warning" when there are warnings).
std::string render_lint_text(const LoadResult& r, const std::string& file);

// {"valid":true,"file":...,"policy_count":N,"target_count":..,"consumer_group_count":..,
//  "budget_alert_count":..,"warnings":[...]} or {"valid":false,"file":...,"errors":[...],"warnings":[...]};
// each diagnostic is {"code","path","line","column","message","suggestion"}.
std::string render_lint_json(const LoadResult& r, const std::string& file);

}  // namespace kt::config
