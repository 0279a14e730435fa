#include "policies/content_filter/content_filter.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <unordered_map>

#include "policies/content_filter/lexicon.hpp"
#include "policies/content_filter/stream_redactor.hpp"

namespace kt::policies {
namespace {

constexpr uint32_t kPatternWeight = 2;

uint32_t score_needed(const std::string& threshold) {
  if (threshold == "low") return 1;
  if (threshold == "medium") return 2;
  if (threshold == "high") return 4;
  throw std::invalid_argument("content_filter: unknown threshold '" + threshold + "'");
}

}  // namespace

ContentFilter::Options ContentFilter::Options::from(const config::Policy& p) {
  return Options{p.name, p.action, p.categories, p.threshold.empty() ? "medium" : p.threshold, p.patterns, p.shadow()};
}

ContentFilter::Compiled ContentFilter::compile(const Options& options) {
  if (options.categories.empty() && options.patterns.empty())
    throw std::invalid_argument("content_filter '" + options.name + "': no categories and no patterns");
  if (options.categories.size() + options.patterns.size() > 64)
    throw std::invalid_argument("content_filter: too many categories and patterns");
  Compiled c;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t cat = 0; cat < options.categories.size(); ++cat) {
    auto severe = content_lexicon(options.categories[cat]);
    if (severe.empty())
      throw std::invalid_argument("content_filter: unknown category '" + options.categories[cat] + "'");
    for (auto [lexicon, weight] : {std::pair{severe, uint8_t{2}}, std::pair{content_lexicon_mild(options.categories[cat]), uint8_t{1}}})
      for (std::string_view term : lexicon) {
        auto [it, fresh] = index.emplace(PhraseMatcher::normalise(term), c.terms.size());
        if (fresh) {
          c.terms.push_back(it->first);
          c.category_mask.push_back(0);
          c.weight.push_back(weight);
        }
        c.category_mask[it->second] |= uint32_t{1} << cat;
        c.weight[it->second] = std::max(c.weight[it->second], weight);
      }
  }
  return c;
}

ContentFilter::ContentFilter(Options options)
    : options_(std::move(options)),
      compiled_(compile(options_)),
      matcher_(compiled_.terms),
      patterns_(options_.patterns),
      min_score_(score_needed(options_.threshold)) {
  labels_ = options_.categories;
  for (const auto& p : options_.patterns) labels_.push_back(p.name);
}

PolicyVerdict ContentFilter::evaluate(const PolicyInput& input) const {
  PolicyVerdict v;
  v.policy_name = options_.name;
  v.policy_type = kType;
  v.action = options_.action;
  v.shadow = options_.shadow;
  std::vector<PhraseMatcher::Hit> hits;
  std::vector<PatternSet::Match> matched;
  for (std::string_view text : input.texts) {
    matcher_.scan(text, hits);
    if (!patterns_.empty()) patterns_.scan(text, 0, false, matched);
  }
  uint32_t score = static_cast<uint32_t>(std::min<std::size_t>(matched.size(), 1u << 20)) * kPatternWeight;
  for (const PhraseMatcher::Hit& h : hits) score += compiled_.weight[h.phrase];
  if (score == 0 || score < min_score_) return v;
  v.triggered = true;
  uint64_t matched_labels = 0;
  for (const PhraseMatcher::Hit& h : hits) {
    matched_labels |= compiled_.category_mask[h.phrase];
    const std::string& term = compiled_.terms[h.phrase];
    if (v.matches.size() < kMaxListedMatches && std::find(v.matches.begin(), v.matches.end(), term) == v.matches.end())
      v.matches.push_back(term);
  }
  for (const PatternSet::Match& m : matched) matched_labels |= uint64_t{1} << (options_.categories.size() + m.pattern);
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (matched_labels & (uint64_t{1} << i))
      (i < options_.categories.size() ? v.categories : v.patterns).push_back(labels_[i]);
  return v;
}

std::size_t ContentFilter::spans(std::string_view text, std::size_t from, bool open, std::vector<Span>& out) const {
  std::vector<PhraseMatcher::Hit> hits;
  std::vector<PatternSet::Match> matched;
  std::size_t frontier = matcher_.scan_open(text, from, hits);
  if (!open) frontier = text.size();
  if (!patterns_.empty()) frontier = std::min(frontier, patterns_.scan(text, from, open, matched));
  std::vector<Span> found;
  found.reserve(hits.size() + matched.size());
  for (const auto& h : hits)
    if (h.begin < frontier) found.push_back(Span{h.begin, h.end, compiled_.category_mask[h.phrase]});
  for (const auto& m : matched)
    if (m.begin < frontier) found.push_back(Span{m.begin, m.end, uint64_t{1} << (options_.categories.size() + m.pattern)});
  std::sort(found.begin(), found.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (const Span& s : found) {
    if (!out.empty() && s.begin < out.back().end) {  // overlaps the last one: merge
      out.back().end = std::max(out.back().end, s.end);
      out.back().labels |= s.labels;
    } else {
      out.push_back(s);
    }
  }
  return frontier;
}

std::string ContentFilter::render(std::string_view text, std::size_t from, std::size_t to,
                                  const std::vector<Span>& spans) const {
  std::string out;
  out.reserve(to - from);
  std::size_t copied = from;
  for (const Span& s : spans) {
    if (s.end > to) break;
    out.append(text.substr(copied, s.begin - copied));
    out += kRedactedPrefix;
    out += labels_[std::countr_zero(s.labels)];
    out += ']';
    copied = s.end;
  }
  out.append(text.substr(copied, to - copied));
  return out;
}

std::vector<std::string> ContentFilter::label_names(uint64_t labels) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (labels & (uint64_t{1} << i)) out.push_back(labels_[i]);
  return out;
}

std::optional<std::string> ContentFilter::redact(std::string_view text) const {
  std::vector<Span> found;
  spans(text, 0, false, found);
  if (found.empty()) return std::nullopt;
  return render(text, 0, text.size(), found);
}

std::unique_ptr<OutputRedactor> ContentFilter::output_redactor() const {
  return std::make_unique<ContentStreamRedactor>(*this);
}

}  // namespace kt::policies
