// `kt events tail`: the newest decision (or alert) events, as a JSON array or a table.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"

namespace kt::cli {
namespace sj = simdjson::ondemand;

namespace {

std::string text_of(sj::value v) {
  switch (v.type()) {
    case sj::json_type::string: return std::string(v.get_string().value());
    case sj::json_type::null: return "-";
    default: {
      std::string t(v.raw_json_token());
      while (!t.empty() && (t.back() == ' ' || t.back() == '\n')) t.pop_back();
      return t;
    }
  }
}

// One table row per event: TIME ID VERDICT REASON GROUP MODEL TOKENS COST
void print_table(const std::string& body, bool header) {
  if (header)
    std::printf("%-27s %-28s %-8s %-24s %-14s %-14s %8s %s\n", "TIME", "ID", "VERDICT", "REASON", "GROUP", "MODEL",
                "TOKENS", "COST");
  simdjson::padded_string ps(body);
  sj::parser p;
  auto doc = p.iterate(ps);
  for (auto e : doc.get_array()) {
    std::string ts, id, verdict, reason, group, model, tokens = "0", cost = "-", type;
    for (auto f : e.get_object()) {
      std::string_view k = f.unescaped_key().value();
      sj::value v = f.value();
      if (k == "timestamp") ts = text_of(v);
      else if (k == "id") id = text_of(v);
      else if (k == "type") type = text_of(v);
      else if (k == "verdict" || k == "action") verdict = text_of(v);
      else if (k == "reason" || k == "threshold_percent") reason = (k == "threshold_percent" ? "threshold " : "") + text_of(v);
      else if (k == "consumer_group") group = text_of(v);
      else if (k == "model") model = text_of(v);
      else if (k == "cost") cost = text_of(v) == "-" ? "null" : "$" + text_of(v);
      else if (k == "usage" && v.type() == sj::json_type::object) {
        for (auto u : v.get_object())
          if (u.unescaped_key().value() == "total_tokens") tokens = text_of(u.value());
      }
    }
    if (type == "alert") verdict = "alert:" + verdict;
    std::printf("%-27s %-28s %-8s %-24s %-14s %-14s %8s %s\n", ts.c_str(), id.c_str(), verdict.c_str(), reason.c_str(),
                group.c_str(), model.c_str(), tokens.c_str(), cost.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int events_tail(const EventsTailArgs& a) {
  if (a.format != "json" && a.format != "table") {
    std::fprintf(stderr, "error: --format must be json or table\n");
    return 2;
  }
  if (a.type != "decision" && a.type != "alert" && a.type != "all") {
    std::fprintf(stderr, "error: --type must be decision, alert or all\n");
    return 2;
  }
  auto api = ApiClient::from_env();
  if (!api) return 2;
  std::string base = "/v1/events?type=" + a.type;
  if (!a.team.empty()) base += "&team=" + url_encode(a.team);
  auto resp = api->get(base + "&last=" + std::to_string(a.last));
  if (!resp) return 1;
  try {
    if (a.format == "json") std::printf("%s\n", resp->body.c_str());
    else print_table(resp->body, true);
    std::fflush(stdout);
    if (!a.follow) return 0;
    std::string seq(http::find_header(resp->headers, "x-kt-last-seq").value_or("0"));
    for (;;) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      auto more = api->get(base + "&last=1000&after_seq=" + seq);
      if (!more) continue;
      seq = std::string(http::find_header(more->headers, "x-kt-last-seq").value_or(seq));
      if (more->body == "[]") continue;
      if (a.format == "json") std::printf("%s\n", more->body.c_str());
      else print_table(more->body, false);
      std::fflush(stdout);
    }
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: unexpected answer from the API\n");
    return 1;
  }
}

int events_why(const EventsWhyArgs& a) {
  auto api = ApiClient::from_env();
  if (!api) return 2;
  // The API checks the id (400 for a malformed one); escaped so the path stays one segment.
  auto resp = api->get("/v1/events/" + url_encode(a.id) + "/explain");
  if (!resp) return 1;
  if (a.format == "json") {
    std::printf("%s\n", resp->body.c_str());
    return 0;
  }
  try {
    simdjson::padded_string ps(resp->body);
    sj::parser p;
    auto doc = p.iterate(ps);
    for (auto line : doc["explanation"].get_array()) std::printf("%s\n", std::string(line.get_string().value()).c_str());
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: unexpected answer from the API\n");
    return 1;
  }
  return 0;
}

}  // namespace kt::cli
