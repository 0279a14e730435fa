// `kt policy test --config C FILES... [--json]`: golden cases run through the gateway's own policy
// code (config loader, consumer group and allowed_models, policies::decide), no network.
// A case: {name, input: {messages, headers?, model?}, expected: {verdict, reason_code}}; a file
// holds one case, a list of them, or {cases: [...]}, in YAML or JSON.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <map>
#include <stdexcept>

#include "cli/commands.hpp"
#include "config/gateway_config.hpp"
#include "config/lint_report.hpp"
#include "core/json_writer.hpp"
#include "policies/policy.hpp"

namespace kt::cli {
namespace {

struct Case {
  std::string file, name;
  std::vector<std::string> texts;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::optional<std::string> model;
  std::string verdict, reason_code;  // expected
};

struct Outcome {
  std::string verdict, reason_code;
  policies::PolicyDecision decision;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string scalar(const YAML::Node& n, const std::string& where) {
  if (!n || !n.IsScalar()) throw std::invalid_argument(where + ": expected a string");
  return n.Scalar();
}

// A message's text: a string, or the text parts of a content array (as the gateway reads them).
void message_texts(const YAML::Node& m, const std::string& where, std::vector<std::string>& out) {
  if (!m.IsMap()) throw std::invalid_argument(where + ": a message is {role, content}");
  YAML::Node content = m["content"];
  if (!content || content.IsNull()) return;
  if (content.IsScalar()) {
    out.push_back(content.Scalar());
  } else if (content.IsSequence()) {
    for (const auto& part : content)
      if (part.IsMap() && part["text"] && part["text"].IsScalar()) out.push_back(part["text"].Scalar());
  } else {
    throw std::invalid_argument(where + ".content: expected a string or a list of parts");
  }
}

Case read_case(const YAML::Node& n, const std::string& file, std::size_t i) {
  std::string where = file + ": case " + std::to_string(i);
  if (!n.IsMap()) throw std::invalid_argument(where + ": expected {name, input, expected}");
  Case c;
  c.file = file;
  c.name = scalar(n["name"], where + ".name");
  where = file + ": case '" + c.name + "'";
  YAML::Node input = n["input"];
  if (!input || !input.IsMap()) throw std::invalid_argument(where + ": input must be {messages, headers?, model?}");
  YAML::Node messages = input["messages"];
  if (!messages || !messages.IsSequence()) throw std::invalid_argument(where + ": input.messages must be a list");
  for (std::size_t m = 0; m < messages.size(); ++m)
    message_texts(messages[m], where + ".input.messages[" + std::to_string(m) + "]", c.texts);
  if (YAML::Node h = input["headers"]) {
    if (!h.IsMap()) throw std::invalid_argument(where + ": input.headers must be a map");
    for (const auto& kv : h) c.headers[lower(kv.first.Scalar())] = scalar(kv.second, where + ".input.headers");
  }
  if (YAML::Node m = input["model"]) c.model = scalar(m, where + ".input.model");
  YAML::Node expected = n["expected"];
  if (!expected || !expected.IsMap()) throw std::invalid_argument(where + ": expected must be {verdict, reason_code}");
  c.verdict = scalar(expected["verdict"], where + ".expected.verdict");
  c.reason_code = expected["reason_code"] ? scalar(expected["reason_code"], where + ".expected.reason_code") : "";
  return c;
}

std::vector<Case> read_cases(const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(file + ": " + e.what());
  }
  if (root.IsMap() && root["cases"]) root = root["cases"];
  std::vector<Case> out;
  if (root.IsMap()) {
    out.push_back(read_case(root, file, 0));
  } else if (root.IsSequence()) {
    for (std::size_t i = 0; i < root.size(); ++i) out.push_back(read_case(root[i], file, i));
  } else {
    throw std::invalid_argument(file + ": expected a case, a list of cases or {cases: [...]}");
  }
  return out;
}

// The caller's group as the gateway finds it (X-Consumer-Group, else Authorization: Bearer; the
// default group for an unknown key). Without headers the case is not about who calls.
std::optional<Outcome> check_caller(const config::GatewayConfig& cfg, const Case& c) {
  if (c.headers.empty()) return std::nullopt;
  std::string key;
  if (auto it = c.headers.find("x-consumer-group"); it != c.headers.end()) key = it->second;
  else if (auto a = c.headers.find("authorization"); a != c.headers.end() && lower(a->second.substr(0, 7)) == "bearer ")
    key = a->second.substr(7);
  const config::ConsumerGroup* group = nullptr;
  for (const auto& g : cfg.consumer_groups)
    if (!key.empty() && g.api_key == key) group = &g;
  if (!group)
    for (const auto& g : cfg.consumer_groups)
      if (g.is_default()) group = &g;
  if (!group) return Outcome{"block", "unauthorized", {}};
  if (c.model && !group->allows_model(*c.model)) return Outcome{"block", "model_not_allowed", {}};
  return std::nullopt;
}

Outcome run_case(const config::GatewayConfig& cfg, const std::vector<std::unique_ptr<policies::RequestPolicy>>& built,
                 const Case& c) {
  if (auto refused = check_caller(cfg, c)) return std::move(*refused);
  policies::PolicyInput input;
  for (const auto& t : c.texts) input.texts.emplace_back(t);
  Outcome o;
  o.decision = policies::decide(built, input);
  const auto& d = o.decision;
  if (d.blocked_by) o.verdict = "block", o.reason_code = "policy_violation";
  else if (!d.redactors.empty()) o.verdict = "redact", o.reason_code = "redacted";
  else if (d.would_block_by) o.verdict = "would_block", o.reason_code = "policy_violation";
  else if (d.flagged) o.verdict = "flag", o.reason_code = "flagged";
  else o.verdict = "allow", o.reason_code = "ok";
  return o;
}

bool matches(const Case& c, const Outcome& o) {
  return c.verdict == o.verdict && (c.reason_code.empty() || c.reason_code == o.reason_code);
}

// Which policies triggered: names, categories and pattern names (never the text).
std::string triggered_text(const Outcome& o) {
  std::string s;
  for (const auto& v : o.decision.verdicts) {
    if (!v.triggered) continue;
    std::string what;
    for (const auto& x : v.categories) what += (what.empty() ? "" : ",") + x;
    for (const auto& x : v.patterns) what += (what.empty() ? "" : ",") + x;
    s += (s.empty() ? " [" : "; ") + v.policy_name + (v.shadow ? " (shadow)" : "") + ": " + what;
  }
  return s.empty() ? s : s + "]";
}

void write_json_case(JsonWriter& w, const Case& c, const Outcome& o) {
  w.begin_object().field("file", c.file).field("name", c.name).field("passed", matches(c, o));
  w.key("expected").begin_object().field("verdict", c.verdict).field("reason_code", c.reason_code).end_object();
  w.key("actual").begin_object().field("verdict", o.verdict).field("reason_code", o.reason_code);
  w.key("policies").begin_array();
  for (const auto& v : o.decision.verdicts) {
    w.begin_object().field("name", v.policy_name).field("mode", v.shadow ? "shadow" : "enforce");
    w.field("action", v.action).field("triggered", v.triggered).key("categories").begin_array();
    for (const auto& x : v.categories) w.value(x);
    w.end_array().key("patterns").begin_array();
    for (const auto& x : v.patterns) w.value(x);
    w.end_array().end_object();
  }
  w.end_array().end_object().end_object();
}

}  // namespace

int policy_test(const std::string& config_file, const std::vector<std::string>& files, bool json) {
  auto loaded = config::load_gateway_config_file(config_file);
  if (!loaded.ok()) {
    std::fputs(config::render_lint_text(loaded, config_file).c_str(), stderr);
    return 2;
  }
  std::vector<std::unique_ptr<policies::RequestPolicy>> built;
  std::vector<Case> cases;
  try {
    for (const auto& p : loaded.config->policies) built.push_back(policies::make_policy(p));
    for (const auto& f : files)
      for (auto& c : read_cases(f)) cases.push_back(std::move(c));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kt policy test: %s\n", e.what());
    return 2;
  }
  int failed = 0;
  JsonWriter w;
  w.begin_object().key("cases").begin_array();
  for (const auto& c : cases) {
    Outcome o = run_case(*loaded.config, built, c);
    bool ok = matches(c, o);
    failed += ok ? 0 : 1;
    if (json) {
      write_json_case(w, c, o);
    } else if (ok) {
      std::printf("PASS  %s: %s/%s\n", c.name.c_str(), o.verdict.c_str(), o.reason_code.c_str());
    } else {
      std::printf("FAIL  %s (%s): expected %s/%s, got %s/%s%s\n", c.name.c_str(), c.file.c_str(), c.verdict.c_str(),
                  c.reason_code.empty() ? "*" : c.reason_code.c_str(), o.verdict.c_str(), o.reason_code.c_str(),
                  triggered_text(o).c_str());
    }
  }
  const int passed = int(cases.size()) - failed;
  w.end_array().field("passed", passed).field("failed", failed).end_object();
  if (json) std::printf("%s\n", w.take().c_str());
  else std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace kt::cli
