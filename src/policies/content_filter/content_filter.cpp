#include "policies/content_filter/content_filter.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <unordered_map>

#include "policies/content_filter/lexicon.hpp"

namespace kt::policies {
namespace {

std::size_t hits_needed(const std::string& threshold) {
  if (threshold == "low" || threshold == "medium") return 1;
  if (threshold == "high") return 2;
  throw std::invalid_argument("content_filter: unknown threshold '" + threshold + "'");
}

}  // namespace

ContentFilter::Options ContentFilter::Options::from(const config::Policy& p) {
  return Options{p.name, p.action, p.categories, p.threshold.empty() ? "medium" : p.threshold};
}

ContentFilter::Compiled ContentFilter::compile(const Options& options) {
  if (options.categories.empty()) throw std::invalid_argument("content_filter '" + options.name + "': no categories");
  if (options.categories.size() > 32) throw std::invalid_argument("content_filter: too many categories");
  Compiled c;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t cat = 0; cat < options.categories.size(); ++cat) {
    auto lexicon = content_lexicon(options.categories[cat]);
    if (lexicon.empty())
      throw std::invalid_argument("content_filter: unknown category '" + options.categories[cat] + "'");
    for (std::string_view term : lexicon) {
      auto [it, fresh] = index.emplace(PhraseMatcher::normalise(term), c.terms.size());
      if (fresh) {
        c.terms.push_back(it->first);
        c.category_mask.push_back(0);
      }
      c.category_mask[it->second] |= uint32_t{1} << cat;
    }
  }
  return c;
}

ContentFilter::ContentFilter(Options options)
    : options_(std::move(options)),
      compiled_(compile(options_)),
      matcher_(compiled_.terms),
      min_hits_(hits_needed(options_.threshold)) {}

PolicyVerdict ContentFilter::evaluate(const PolicyInput& input) const {
  PolicyVerdict v;
  v.policy_name = options_.name;
  v.policy_type = kType;
  v.action = options_.action;
  std::vector<PhraseMatcher::Hit> hits;
  for (std::string_view text : input.texts) matcher_.scan(text, hits);
  if (hits.empty() || hits.size() < min_hits_) return v;
  v.triggered = true;
  uint32_t matched_categories = 0;
  for (const PhraseMatcher::Hit& h : hits) {
    matched_categories |= compiled_.category_mask[h.phrase];
    const std::string& term = compiled_.terms[h.phrase];
    if (v.matches.size() < kMaxListedMatches && std::find(v.matches.begin(), v.matches.end(), term) == v.matches.end())
      v.matches.push_back(term);
  }
  for (std::size_t cat = 0; cat < options_.categories.size(); ++cat)
    if (matched_categories & (uint32_t{1} << cat)) v.categories.push_back(options_.categories[cat]);
  return v;
}

std::optional<std::string> ContentFilter::redact(std::string_view text) const {
  std::vector<PhraseMatcher::Hit> hits;
  matcher_.scan(text, hits);
  if (hits.empty()) return std::nullopt;
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t i = 0; i < hits.size();) {
    std::size_t begin = hits[i].begin, end = hits[i].end;
    uint32_t categories = compiled_.category_mask[hits[i].phrase];
    for (++i; i < hits.size() && hits[i].begin < end; ++i) {  // merge overlaps
      end = std::max(end, hits[i].end);
      categories |= compiled_.category_mask[hits[i].phrase];
    }
    out.append(text.substr(copied, begin - copied));
    out += kRedactedPrefix;
    out += options_.categories[std::countr_zero(categories)];  // the first in configured order
    out += ']';
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace kt::policies
