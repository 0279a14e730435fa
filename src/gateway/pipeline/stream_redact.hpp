#pragma once
// Redact policies on an answer, whole or streamed, on every text route (the fields per route:
// answer_texts.hpp): each text goes through the policies' OutputRedactors, so what the client
// reads joined equals the whole answer redacted at once. Held-back text goes out with a later
// event: chat's and completions' with the choice's finish_reason or in an extra chunk before
// `data: [DONE]`; responses' and messages' in an extra delta event before the event that closes
// the text. Events that repeat the whole text (responses' *.done, response.completed) carry it
// redacted at once. A stream that breaks off drops what was held (never shows it unredacted).
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "gateway/pipeline/answer_texts.hpp"
#include "policies/policy.hpp"

namespace kt::gateway {

// What an answer had redacted: per policy, the labels (categories, pattern names), never text.
using OutputRedactions = std::vector<std::pair<std::string, std::vector<std::string>>>;

// The same for a whole JSON answer of the route: rewritten only when some text changed.
OutputRedactions redact_answer(providers::Route route, std::string& body,
                               const std::vector<const policies::RequestPolicy*>& policies);

class StreamRedaction {
 public:
  StreamRedaction(providers::Route route, std::vector<const policies::RequestPolicy*> policies);
  bool active() const { return !policies_.empty(); }
  // Rewrites the SSE events (complete ones, as the translator wrote them) in place.
  void on_events(std::string& events);
  OutputRedactions matched() const;

 private:
  struct Text {
    std::vector<std::unique_ptr<policies::OutputRedactor>> chain;  // empty: nothing held
    boost::json::object last_event;  // the shape of an extra event (id, model, item_id, ...)
  };
  std::string pass(Text& t, std::string_view piece);  // through every redactor in turn
  std::string flush(Text& t);                         // the end of the text
  std::string rewrite_event(std::string_view block);
  std::string flush_events();  // what is still held, as extra events

  providers::Route route_;
  std::vector<const policies::RequestPolicy*> policies_;
  std::map<TextSlot, Text> texts_;
  std::vector<std::vector<std::string>> matched_;  // per policy: labels of the redactors done with
};

}  // namespace kt::gateway
