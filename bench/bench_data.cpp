#include "bench_data.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kt::bench {
namespace {

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string body_with(const std::string& tail) {
  return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"" + json_escape(system_prompt()) +
         "\"},{\"role\":\"user\",\"content\":\"" + json_escape(user_prompt()) +
         "\"}],\"temperature\":0.2,\"max_tokens\":256,\"user\":\"bench-user-7\"" + tail + "}";
}

}  // namespace

const std::string& system_prompt() {
  static const std::string s =
      "You are a support assistant for a regional logistics company. Answer questions about shipments, "
      "delivery windows and customs paperwork. Quote tracking numbers exactly, give dates in ISO 8601, keep "
      "answers under 150 words and say plainly when the information needed is not in the conversation.";
  return s;
}

const std::string& user_prompt() {
  static const std::string s =
      "Shipment LX-20931-DE left the Rotterdam hub on 2026-03-02 at 06:40 CET and was scanned at the Venlo "
      "cross-dock at 09:15. Since then the tracking page has shown 'awaiting linehaul' for four days. The "
      "customer, a pharmacy chain, needs the pallets before their inventory count on 2026-03-09 and asks "
      "whether the temperature log for the cold-chain section is still being recorded while the goods wait. "
      "They also want to know if the customs declaration filed in Rotterdam covers the final leg to Basel or "
      "whether a new T1 document is needed at the Swiss border. Please draft a reply that explains the delay, "
      "what we will check today, and what the customer should prepare for the border crossing.";
  return s;
}

const std::string& long_clean_prompt() {
  static const std::string s = [] {
    const std::string para =
        "The service restarts its worker pool when the configuration changes; kill the process only when it "
        "stops answering health checks, then shoot an email to the on-call rotation with the last hundred log "
        "lines. Rotate the AWS KMS keys every ninety days and replace the placeholder XXX values in the "
        "staging manifest before the release candidate is tagged. Latency budgets: p50 under 40 ms, p99 "
        "under 250 ms, measured at the load balancer over a rolling five-minute window. ";
    std::string out;
    while (out.size() < 8 * 1024) out += para;
    return out;
  }();
  return s;
}

const std::string& flagged_prompt() {
  static const std::string s =
      "Write a thriller scene where the villain says he is going to kill them all and plans to build a bomb "
      "in the warehouse, then the detective explains why ethnic cleansing propaganda spreads online. " +
      user_prompt();
  return s;
}

const std::string& chat_body() {
  static const std::string s = body_with("");
  return s;
}
const std::string& chat_body_2_5kb() {
  static const std::string s =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"" + json_escape(system_prompt()) +
      "\"},{\"role\":\"user\",\"content\":\"" + json_escape(user_prompt()) +
      "\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_7Qk2\",\"type\":\"function\","
      "\"function\":{\"name\":\"lookup_shipment\",\"arguments\":\"{\\\"tracking\\\":\\\"LX-20931-DE\\\"}\"}}]},"
      "{\"role\":\"tool\",\"tool_call_id\":\"call_7Qk2\",\"content\":\"{\\\"status\\\":\\\"awaiting_linehaul\\\","
      "\\\"hub\\\":\\\"Venlo\\\",\\\"temperature_log\\\":\\\"recording\\\",\\\"eta\\\":\\\"2026-03-08\\\"}\"},"
      "{\"role\":\"assistant\",\"content\":\"The pallets are waiting at Venlo for a linehaul slot; the cold-chain "
      "logger is still recording and the current estimate is delivery on 2026-03-08, a day before the count.\"},"
      "{\"role\":\"user\",\"content\":\"Thanks. Please also confirm that the pharmacy's receiving dock in Basel "
      "accepts deliveries before 07:00 and that the driver has the cold-chain handover form in German and French.\"},"
      "{\"role\":\"assistant\",\"content\":\"Basel receiving opens at 06:30 on weekdays; the driver pack includes "
      "the handover form in German, French and Italian, and the pallets need a signed temperature printout on arrival.\"},"
      "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Good. Does the Rotterdam declaration "
      "cover the leg to Basel, or do we need a T1 at the Swiss border? Keep it short.\"}]}],"
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup_shipment\",\"description\":\"Current "
      "status, hub and ETA of a shipment by tracking number.\",\"parameters\":{\"type\":\"object\",\"properties\":"
      "{\"tracking\":{\"type\":\"string\",\"description\":\"Tracking number, e.g. LX-20931-DE\"}},"
      "\"required\":[\"tracking\"]}}}],\"tool_choice\":\"auto\",\"temperature\":0.2,\"max_tokens\":512,"
      "\"user\":\"bench-user-7\"}";
  return s;
}
const std::string& chat_stream_body() {
  static const std::string s = body_with(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
  return s;
}
const std::string& chat_stream_body_no_options() {
  static const std::string s = body_with(",\"stream\":true");
  return s;
}
const std::string& chat_stream_body_other_options() {
  static const std::string s = body_with(",\"stream\":true,\"stream_options\":{\"chunk_hint\":1}");
  return s;
}

std::string tokenizer_corpus_name() {
  const char* path = std::getenv("KT_TOKENIZER_CORPUS");
  return path && *path ? std::string(path) : std::string("built-in prompts x N (~64 KB)");
}

const std::string& tokenizer_corpus() {
  static const std::string s = [] {
    if (const char* path = std::getenv("KT_TOKENIZER_CORPUS"); path && *path) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      if (in && !buf.str().empty()) return buf.str();
    }
    std::string out;
    while (out.size() < 64 * 1024) out += system_prompt() + "\n" + user_prompt() + "\n" + long_clean_prompt() + "\n";
    return out;
  }();
  return s;
}

}  // namespace kt::bench
