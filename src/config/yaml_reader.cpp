#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>

#include "config/did_you_mean.hpp"

namespace kt::config {
namespace {

std::string quoted_list(std::span<const std::string_view> values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += i + 1 == values.size() ? " or " : ", ";
    out += "'" + std::string(values[i]) + "'";
  }
  return out;
}

bool is_plain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

}  // namespace

void DiagnosticSink::error(std::string code, std::string path, const YAML::Mark& at, std::string message,
                           std::string suggestion) {
  ++errors_;
  list_.push_back(Diagnostic{std::move(code), std::move(path), at.is_null() ? 0 : at.line + 1,
                             at.is_null() ? 0 : at.column + 1, std::move(message), std::move(suggestion), false});
}

void DiagnosticSink::warning(std::string code, std::string path, const YAML::Mark& at, std::string message,
                             std::string suggestion) {
  list_.push_back(Diagnostic{std::move(code), std::move(path), at.is_null() ? 0 : at.line + 1,
                             at.is_null() ? 0 : at.column + 1, std::move(message), std::move(suggestion), true});
}

std::vector<Diagnostic> DiagnosticSink::take() {
  std::stable_sort(list_.begin(), list_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  errors_ = 0;
  return std::move(list_);
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    default: return "an undefined value";
  }
}

MapView::MapView(const YAML::Node& map, std::string path, std::span<const std::string_view> allowed,
                 DiagnosticSink& sink)
    : map_(map), path_(std::move(path)), sink_(sink) {
  if (!map.IsMap()) return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    YAML::Node k = it->first;  // copy: the iterator hands out a temporary pair
    std::string key = k.IsScalar() ? k.Scalar() : std::string();
    std::string where = path_.empty() ? "at the top level" : "in " + path_;
    if (!k.IsScalar()) {
      sink_.error("E004", path_, k.Mark(), "a key " + where + " must be a plain name");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string s = closest_match(key, allowed);
      sink_.error("E002", join_path(path_, key), k.Mark(), "unknown key '" + key + "' " + where,
                  s.empty() ? std::string() : "did you mean '" + s + "'?");
      continue;
    }
    if (get(key)) {
      sink_.error("E004", join_path(path_, key), k.Mark(), "duplicate key '" + key + "' " + where);
      continue;
    }
    YAML::Node value = it->second;
    fields_.push_back(Field{key, k, value, join_path(path_, key)});
  }
}

const Field* MapView::get(std::string_view key) const {
  for (const Field& f : fields_)
    if (f.key == key) return &f;
  return nullptr;
}

const Field* MapView::require(std::string_view key) const {
  const Field* f = get(key);
  if (!f && map_.IsMap()) {
    std::string where = path_.empty() ? "at the top level" : "in " + path_;
    sink_.error("E005", join_path(path_, key), map_.Mark(), "missing required key '" + std::string(key) + "' " + where);
  }
  return f;
}

bool expect_map(const YAML::Node& n, const std::string& path, DiagnosticSink& sink) {
  if (n.IsMap()) return true;
  sink.error("E004", path, n.Mark(), path + ": expected a mapping, got " + describe(n));
  return false;
}

bool expect_list(const YAML::Node& n, const std::string& path, DiagnosticSink& sink) {
  if (n.IsSequence()) return true;
  sink.error("E004", path, n.Mark(), path + ": expected a list, got " + describe(n));
  return false;
}

std::optional<std::string> read_string(const YAML::Node& n, const std::string& path, DiagnosticSink& sink) {
  if (n.IsScalar()) return n.Scalar();
  sink.error("E004", path, n.Mark(), path + ": expected a string, got " + describe(n));
  return std::nullopt;
}

std::optional<std::string> read_string(const Field& f, DiagnosticSink& sink) {
  return read_string(f.value, f.path, sink);
}

std::optional<std::string> read_name(const YAML::Node& n, const std::string& path, DiagnosticSink& sink) {
  auto s = read_string(n, path, sink);
  if (s && s->find_first_not_of(" \t\r\n") == std::string::npos) {
    sink.error("E004", path, n.Mark(), path + ": must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> read_name(const Field& f, DiagnosticSink& sink) { return read_name(f.value, f.path, sink); }

std::optional<bool> read_bool(const Field& f, DiagnosticSink& sink) {
  // Plain true/false only: a quoted "true" is a string, "yes"/"on" are YAML 1.1 surprises.
  if (f.value.IsScalar() && is_plain(f.value)) {
    if (f.value.Scalar() == "true") return true;
    if (f.value.Scalar() == "false") return false;
  }
  sink.error("E004", f.path, f.value.Mark(), f.path + ": expected true or false, got " + describe(f.value));
  return std::nullopt;
}

std::optional<int64_t> read_int(const YAML::Node& n, const std::string& path, DiagnosticSink& sink) {
  if (n.IsScalar() && is_plain(n)) {
    const std::string& s = n.Scalar();
    int64_t v = 0;
    const char* first = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
    auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && first != end) return v;
  }
  sink.error("E004", path, n.Mark(), path + ": expected an integer, got " + describe(n));
  return std::nullopt;
}

std::optional<std::string> read_choice(const YAML::Node& n, const std::string& path,
                                       std::span<const std::string_view> allowed, DiagnosticSink& sink) {
  auto s = read_string(n, path, sink);
  if (!s) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  std::string close = closest_match(*s, allowed);
  sink.error("E004", path, n.Mark(), path + ": '" + *s + "' is not one of " + quoted_list(allowed),
             close.empty() ? std::string() : "did you mean '" + close + "'?");
  return std::nullopt;
}

std::optional<std::string> read_http_url(const Field& f, DiagnosticSink& sink) {
  auto s = read_string(f, sink);
  if (!s) return std::nullopt;
  std::string_view v = *s;
  std::size_t scheme = v.starts_with("http://") ? 7 : v.starts_with("https://") ? 8 : 0;
  if (scheme == 0 || v.size() == scheme || v[scheme] == '/' ||
      v.find_first_of(" \t\r\n") != std::string_view::npos) {
    sink.error("E004", f.path, f.value.Mark(), f.path + ": expected an http:// or https:// URL, got " + describe(f.value));
    return std::nullopt;
  }
  return s;
}

}  // namespace kt::config
