#pragma once
// Typed, diagnostic-collecting access to a yaml-cpp document. Every reader reports problems into a
// DiagnosticSink (with the YAML position, 1-based) and keeps going, so one lint run shows them all.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"

namespace kt::config {

class DiagnosticSink {
 public:
  void error(std::string code, std::string path, const YAML::Mark& at, std::string message,
             std::string suggestion = {});
  void warning(std::string code, std::string path, const YAML::Mark& at, std::string message,
               std::string suggestion = {});
  bool has_errors() const { return errors_ > 0; }
  // Sorted by position (stable), errors and warnings interleaved as they appear in the file.
  std::vector<Diagnostic> take();

 private:
  std::vector<Diagnostic> list_;
  int errors_ = 0;
};

// "a.b" / "a[2]" paths as shown in diagnostics.
std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);
// "mapping", "list", "null", "string", ... for "expected X, got Y" messages.
std::string describe(const YAML::Node& n);

struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  std::string path;  // full path of the value
};

// The entries of one YAML mapping, checked against the keys valid at that place:
// an unknown key is E002 with a did-you-mean, a repeated key is E004.
class MapView {
 public:
  MapView(const YAML::Node& map, std::string path, std::span<const std::string_view> allowed, DiagnosticSink& sink);
  const Field* get(std::string_view key) const;
  // E005 at the mapping's own position when the key is absent.
  const Field* require(std::string_view key) const;
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return map_; }

 private:
  YAML::Node map_;
  std::string path_;
  std::vector<Field> fields_;
  DiagnosticSink& sink_;
};

// Type checks: E004 "expected a mapping/list" when the node is something else.
bool expect_map(const YAML::Node& n, const std::string& path, DiagnosticSink& sink);
bool expect_list(const YAML::Node& n, const std::string& path, DiagnosticSink& sink);

// Scalar readers (E004 on a wrong type or value). Strings: any non-null scalar.
std::optional<std::string> read_string(const Field& f, DiagnosticSink& sink);
std::optional<std::string> read_string(const YAML::Node& n, const std::string& path, DiagnosticSink& sink);
// A string that names or identifies something (ids, keys, wallet ids, env var names): empty or
// blank is E004, since "" would silently match nothing or everything downstream.
std::optional<std::string> read_name(const Field& f, DiagnosticSink& sink);
std::optional<std::string> read_name(const YAML::Node& n, const std::string& path, DiagnosticSink& sink);
std::optional<bool> read_bool(const Field& f, DiagnosticSink& sink);
std::optional<int64_t> read_int(const YAML::Node& n, const std::string& path, DiagnosticSink& sink);
// A string that must be one of `allowed` (E004 with a did-you-mean otherwise).
std::optional<std::string> read_choice(const YAML::Node& n, const std::string& path,
                                       std::span<const std::string_view> allowed, DiagnosticSink& sink);
// An absolute http:// or https:// URL with a host.
std::optional<std::string> read_http_url(const Field& f, DiagnosticSink& sink);

}  // namespace kt::config
