#pragma once
// Redact policies on an answer, whole or streamed (chat: choices[].delta.content; completions:
// choices[].text): each choice's text goes through the policies' OutputRedactors, so what the
// client reads joined equals the whole answer redacted at once. Held-back text goes out with a
// later event: at the latest with the choice's finish_reason, or in an extra chunk before
// `data: [DONE]`. A stream that breaks off drops what was held (never shows it unredacted).
#include <map>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "policies/policy.hpp"

namespace kt::gateway {

// What an answer had redacted: per policy, the labels (categories, pattern names), never text.
using OutputRedactions = std::vector<std::pair<std::string, std::vector<std::string>>>;

// The same for a whole JSON answer (chat: choices[].message.content; completions:
// choices[].text): rewritten only when some text changed.
OutputRedactions redact_answer(std::string& body, const std::vector<const policies::RequestPolicy*>& policies);

class StreamRedaction {
 public:
  explicit StreamRedaction(std::vector<const policies::RequestPolicy*> policies) : policies_(std::move(policies)) {}
  bool active() const { return !policies_.empty(); }
  // Rewrites the SSE events (complete ones, as the translator wrote them) in place.
  void on_events(std::string& events);
  OutputRedactions matched() const;

 private:
  struct Choice {
    std::vector<std::unique_ptr<policies::OutputRedactor>> chain;  // empty: nothing held
  };
  Choice& choice(int64_t index);
  std::string pass(Choice& c, std::string_view text);  // through every redactor in turn
  std::string flush(Choice& c);                         // the end of the choice's text
  std::string rewrite_event(std::string_view block);
  std::string flush_events();  // what is still held, as chunks, before [DONE]

  std::vector<const policies::RequestPolicy*> policies_;
  std::map<int64_t, Choice> choices_;
  std::vector<std::vector<std::string>> matched_;  // per policy: labels of the redactors done with
  boost::json::object last_chunk_;  // the shape of an extra chunk (id, model, ...)
  bool completions_ = false;        // choices[].text rather than choices[].delta.content
};

}  // namespace kt::gateway
