#include "config/policies_loader.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "config/content_pattern.hpp"
#include "config/did_you_mean.hpp"
#include "config/schema_constants.hpp"

namespace kt::config {
namespace {

constexpr std::array<std::string_view, 5> kPolicyKeys = {"name", "type", "action", "mode", "config"};
constexpr std::array<std::string_view, 3> kContentFilterKeys = {"categories", "threshold", "patterns"};
constexpr std::array<std::string_view, 2> kPatternKeys = {"name", "regex"};
// Categories and patterns share one 64-bit label mask in the filter.
constexpr std::size_t kMaxPatterns = 60;

void content_patterns(const Field& f, Policy& p, DiagnosticSink& sink) {
  if (!expect_list(f.value, f.path, sink)) return;
  if (f.value.size() > kMaxPatterns)
    sink.error("E004", f.path, f.value.Mark(), f.path + ": at most " + std::to_string(kMaxPatterns) + " patterns");
  std::map<std::string, bool> names;
  for (std::size_t i = 0; i < f.value.size(); ++i) {
    std::string path = index_path(f.path, i);
    if (!expect_map(f.value[i], path, sink)) continue;
    MapView m(f.value[i], path, kPatternKeys, sink);
    ContentPattern pattern;
    const Field* n = m.require("name");
    const Field* r = m.require("regex");
    if (auto v = n ? read_name(*n, sink) : std::nullopt) {
      pattern.name = *v;
      bool clash = std::find(kContentCategories.begin(), kContentCategories.end(), *v) != kContentCategories.end();
      if (clash || !names.emplace(*v, true).second)
        sink.error("E004", n->path, n->value.Mark(),
                   "content pattern name '" + *v + "' is " + (clash ? "a category's name" : "given twice"));
    }
    if (auto v = r ? read_string(*r, sink) : std::nullopt) {
      if (std::string why = content_pattern_error(*v); !why.empty()) {
        sink.error("E004", r->path, r->value.Mark(),
                   "content pattern '" + (pattern.name.empty() ? path : pattern.name) + "' " + why);
        continue;
      }
      pattern.regex = *v;
    }
    if (!pattern.name.empty() && !pattern.regex.empty()) p.patterns.push_back(std::move(pattern));
  }
}

void content_filter(const MapView& policy, Policy& p, DiagnosticSink& sink) {
  const Field* c = policy.get("config");
  if (!c) {
    sink.error("E003", join_path(policy.path(), "config"), policy.node().Mark(),
               "policy '" + p.name + "' of type content_filter has no config",
               "add config: { categories: [hate, violence, sexual, self_harm] }");
    return;
  }
  if (!expect_map(c->value, c->path, sink)) return;
  MapView m(c->value, c->path, kContentFilterKeys, sink);
  p.threshold = std::string(kDefaultContentThreshold);
  if (const Field* t = m.get("threshold"))
    if (auto v = read_choice(t->value, t->path, kContentThresholds, sink)) p.threshold = *v;
  if (const Field* pats = m.get("patterns")) content_patterns(*pats, p, sink);
  // Categories are required unless the filter has patterns of its own.
  const Field* cats = m.get("patterns") ? m.get("categories") : m.require("categories");
  if (!cats || !expect_list(cats->value, cats->path, sink)) return;
  if (cats->value.size() == 0 && !m.get("patterns"))
    sink.error("E004", cats->path, cats->value.Mark(), cats->path + ": list at least one category");
  for (std::size_t i = 0; i < cats->value.size(); ++i) {
    std::string path = index_path(cats->path, i);
    auto v = read_choice(cats->value[i], path, kContentCategories, sink);
    if (v && std::find(p.categories.begin(), p.categories.end(), *v) == p.categories.end())
      p.categories.push_back(*v);
  }
}

}  // namespace

void load_policies(const Field& f, std::vector<Policy>& out, DiagnosticSink& sink) {
  if (!expect_list(f.value, f.path, sink)) return;
  std::map<std::string, std::string> names;
  for (std::size_t i = 0; i < f.value.size(); ++i) {
    YAML::Node item = f.value[i];
    std::string path = index_path(f.path, i);
    if (!expect_map(item, path, sink)) continue;
    MapView m(item, path, kPolicyKeys, sink);
    Policy p;
    p.action = std::string(kDefaultPolicyAction);
    if (const Field* n = m.require("name")) {
      if (auto v = read_name(*n, sink)) {
        p.name = *v;
        if (!names.emplace(*v, path).second)
          sink.error("E004", n->path, n->value.Mark(), "duplicate policy name '" + *v + "'");
      }
    }
    if (const Field* a = m.get("action"))
      if (auto v = read_choice(a->value, a->path, kPolicyActions, sink)) p.action = *v;
    if (const Field* md = m.get("mode"))
      if (auto v = read_choice(md->value, md->path, kModes, sink)) p.mode = *v;
    const Field* type = m.require("type");
    std::optional<std::string> type_name = type ? read_string(*type, sink) : std::nullopt;
    if (type_name && std::find(kPolicyTypes.begin(), kPolicyTypes.end(), *type_name) == kPolicyTypes.end()) {
      std::string s = closest_match(*type_name, kPolicyTypes);
      sink.error("E001", type->path, type->value.Mark(), "unknown policy type '" + *type_name + "'",
                 s.empty() ? std::string() : "did you mean '" + s + "'?");
      type_name.reset();
    }
    if (type_name) {
      p.type = *type_name;
      if (p.type == "content_filter") content_filter(m, p, sink);
    }
    out.push_back(std::move(p));
  }
}

}  // namespace kt::config
