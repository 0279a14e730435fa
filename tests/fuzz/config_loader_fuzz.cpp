// A policy-config.yaml through the loader and both `kt policy lint` reports. Invariants: a config
// that loads has no error diagnostics and one that does not has some; every diagnostic has a code
// and a message; the JSON report is JSON.
#include <string>

#include "config/gateway_config.hpp"
#include "config/lint_report.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  const auto result = kt::config::load_gateway_config_text(yaml, "policy-config.yaml");
  size_t errors = 0;
  for (const auto& d : result.diagnostics) {
    KT_FUZZ_CHECK(!d.code.empty() && !d.message.empty(), "a diagnostic has a code and a message");
    KT_FUZZ_CHECK(d.line >= 0 && d.column >= 0, "a diagnostic's position is not negative");
    if (!d.warning) ++errors;
  }
  KT_FUZZ_CHECK(result.ok() == (errors == 0), "a config loads exactly when it has no errors");
  const std::string text = kt::config::render_lint_text(result, "policy-config.yaml");
  KT_FUZZ_CHECK(!text.empty(), "the text report is never empty");
  KT_FUZZ_CHECK(kt::fuzz::is_json(kt::config::render_lint_json(result, "policy-config.yaml")), "the JSON report is JSON");
  return 0;
}
