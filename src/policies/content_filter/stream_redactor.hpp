#pragma once
// A content_filter's redaction of a text that arrives in pieces (see content_filter.hpp for the
// hold-back bound). Each piece is scanned again only from the last commit point.
#include <string>
#include <vector>

#include "policies/content_filter/content_filter.hpp"

namespace kt::policies {

class ContentStreamRedactor final : public OutputRedactor {
 public:
  explicit ContentStreamRedactor(const ContentFilter& filter) : filter_(filter) {}
  std::string feed(std::string_view piece) override;
  std::string finish() override;
  // Bytes held back now (not yet returned): what the bound is about.
  std::size_t held() const { return buf_.size() - start_; }
  std::vector<std::string> matched() const override { return filter_.label_names(matched_); }

 private:
  std::string step(bool final);

  const ContentFilter& filter_;
  std::string buf_;        // context already returned, then the held text
  std::size_t start_ = 0;  // where the held text begins in buf_
  std::vector<ContentFilter::Span> spans_;
  uint64_t matched_ = 0;  // labels of the spans returned so far
};

}  // namespace kt::policies
