#pragma once
// content_filter: flags, blocks or redacts requests whose messages contain terms of the configured
// categories (hate, violence, sexual, self_harm) or match the policy's own PCRE2 patterns. All
// configured lexicons are compiled into one PhraseMatcher and the patterns JIT-compiled once, at
// construction; evaluate() scans each text once per matcher.
//
// threshold: every occurrence adds its weight (a mild lexicon term 1, a severe term or a pattern
// match 2), summed over all the request's texts; the policy triggers at low 1, medium 2 (one
// severe term), high 4 (two severe terms, or four mild ones).
//
// redact replaces every match (the threshold decides requests, not spans) with
// "[REDACTED:<label>]": the first configured category among the merged matches, else the first
// pattern's name. On a stream (output_redactor) the text is held back only from where a match
// could still be in progress: the open suffix of the phrase automaton (a phrase's length in
// characters, a whitespace run counting as one) and PCRE2's hard partial match of each pattern.
// A possible match still open after kMaxHeldBytes is given up: the held text is released as if
// the text ended there (the only case where the stream's output can differ from redacting the
// whole text at once).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "policies/content_filter/pattern_set.hpp"
#include "policies/phrase_matcher.hpp"
#include "policies/policy.hpp"

namespace kt::policies {

class ContentFilter final : public RequestPolicy {
 public:
  struct Options {
    std::string name;
    std::string action = "flag";
    std::vector<std::string> categories;
    std::string threshold = "medium";
    std::vector<config::ContentPattern> patterns = {};
    bool shadow = false;
    static Options from(const config::Policy& p);
  };
  static constexpr const char* kType = "content_filter";
  // At most this many distinct terms are listed in a verdict (the event stays small).
  static constexpr std::size_t kMaxListedMatches = 16;
  static constexpr std::size_t kMaxHeldBytes = 4096;

  // Throws std::invalid_argument for an unknown category or threshold, a bad pattern, or neither
  // categories nor patterns.
  explicit ContentFilter(Options options);

  const std::string& name() const override { return options_.name; }
  PolicyVerdict evaluate(const PolicyInput& input) const override;
  std::optional<std::string> redact(std::string_view text) const override;
  std::unique_ptr<OutputRedactor> output_redactor() const override;

  static constexpr std::string_view kRedactedPrefix = "[REDACTED:";

  // A redacted span: matches merged where they overlap; bit i of labels is label i (categories,
  // then patterns, in configured order).
  struct Span {
    std::size_t begin, end;
    uint64_t labels;
  };
  // The spans of text[from..), sorted. With `open` (more text may follow) a match that is still in
  // progress is left out, and where the earliest one begins is returned (text.size(): none).
  std::size_t spans(std::string_view text, std::size_t from, bool open, std::vector<Span>& out) const;
  // text[from, to) with the spans inside it replaced.
  std::string render(std::string_view text, std::size_t from, std::size_t to, const std::vector<Span>& spans) const;
  // The names of the labels in a mask (categories, then pattern names).
  std::vector<std::string> label_names(uint64_t labels) const;
  // Bytes before a scan's start that decide its matches (word boundaries, lookbehinds).
  std::size_t context_bytes() const { return patterns_.context_bytes(); }

 private:
  struct Compiled {
    std::vector<std::string> terms;       // distinct normalised terms
    std::vector<uint32_t> category_mask;  // per term: bit i = options_.categories[i]
    std::vector<uint8_t> weight;          // per term: 1 mild, 2 severe
  };
  static Compiled compile(const Options& options);

  Options options_;
  Compiled compiled_;
  PhraseMatcher matcher_;
  PatternSet patterns_;
  std::vector<std::string> labels_;  // categories, then pattern names
  uint32_t min_score_;
};

}  // namespace kt::policies
