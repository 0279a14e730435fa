#include "config/lint_report.hpp"

#include "core/json_writer.hpp"

namespace kt::config {
namespace {

std::string count(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void write_diagnostics(JsonWriter& w, const char* key, const LoadResult& r, bool warnings) {
  w.key(key).begin_array();
  for (const Diagnostic& d : r.diagnostics) {
    if (d.warning != warnings) continue;
    w.begin_object()
        .field("code", d.code)
        .field("path", d.path)
        .field("line", d.line)
        .field("column", d.column)
        .field("message", d.message)
        .field("suggestion", d.suggestion)
        .end_object();
  }
  w.end_array();
}

}  // namespace

std::string render_lint_text(const LoadResult& r, const std::string& file) {
  std::string out;
  std::size_t errors = 0, warnings = 0;
  for (const Diagnostic& d : r.diagnostics) (d.warning ? warnings : errors)++;
  if (r.ok()) {
    const GatewayConfig& c = *r.config;
    out = "OK " + file + " is valid: " + count(c.targets.size(), "target", "targets") + ", " +
          count(c.consumer_groups.size(), "consumer group", "consumer groups") + ", " +
          count(c.cost_tracking.budget_alerts.size(), "budget alert", "budget alerts") + ", " +
          count(c.policies.size(), "policy", "policies") + "\n";
    for (const Diagnostic& d : r.diagnostics) out += "\n" + format_diagnostic(d, file) + "\n";
    if (warnings) out += "\n" + count(warnings, "warning", "warnings") + "\n";
    return out;
  }
  for (const Diagnostic& d : r.diagnostics) out += format_diagnostic(d, file) + "\n\n";
  out += count(errors, "error", "errors");
  if (warnings) out += ", " + count(warnings, "warning", "warnings");
  out += "\n";
  return out;
}

std::string render_lint_json(const LoadResult& r, const std::string& file) {
  JsonWriter w;
  w.begin_object().field("valid", r.ok()).field("file", file);
  if (r.ok()) {
    const GatewayConfig& c = *r.config;
    w.field("policy_count", static_cast<uint64_t>(c.policies.size()))
        .field("target_count", static_cast<uint64_t>(c.targets.size()))
        .field("consumer_group_count", static_cast<uint64_t>(c.consumer_groups.size()))
        .field("budget_alert_count", static_cast<uint64_t>(c.cost_tracking.budget_alerts.size()));
  } else {
    write_diagnostics(w, "errors", r, false);
  }
  write_diagnostics(w, "warnings", r, true);
  w.end_object();
  return w.take();
}

}  // namespace kt::config
