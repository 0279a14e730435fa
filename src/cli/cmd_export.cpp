// `kt events export`: every event between two times to a CSV or JSON file, page by page through
// the API's cursor (constant memory whatever the count).
#include <simdjson.h>

#include <array>
#include <cstdio>
#include <memory>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"

namespace kt::cli {
namespace sj = simdjson::ondemand;

namespace {

constexpr std::array<std::string_view, 16> kColumns = {
    "id", "timestamp", "type", "request_id", "consumer_group", "team_id", "model", "provider", "decision", "reason",
    "status", "prompt_tokens", "completion_tokens", "cost", "estimated_cost", "price_version"};

std::string csv_cell(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One CSV line of an event (alerts leave the decision columns empty). Numbers keep their text:
// money stays exact.
std::string csv_line(sj::object o) {
  std::array<std::string, kColumns.size()> cells;
  auto put = [&](std::string_view k, std::string v) {
    for (size_t i = 0; i < kColumns.size(); ++i)
      if (kColumns[i] == k) cells[i] = std::move(v);
  };
  for (auto f : o) {
    std::string_view k = f.unescaped_key().value();
    sj::value v = f.value();
    if (k == "usage" && v.type() == sj::json_type::object) {
      for (auto u : v.get_object()) {
        std::string_view uk = u.unescaped_key().value();
        if (uk == "prompt_tokens" || uk == "completion_tokens") put(uk, std::string(u.value().raw_json_token().value()));
      }
      continue;
    }
    switch (v.type()) {
      case sj::json_type::string: put(k, std::string(v.get_string().value())); break;
      case sj::json_type::number: put(k, std::string(v.raw_json_token())); break;
      default: break;  // null, objects and arrays: not in the CSV
    }
  }
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    while (!cells[i].empty() && (cells[i].back() == ' ' || cells[i].back() == '\n')) cells[i].pop_back();
    line += (i ? "," : "") + csv_cell(cells[i]);
  }
  return line + "\n";
}

}  // namespace

int events_export(const EventsExportArgs& a) {
  if (a.format != "csv" && a.format != "json") {
    std::fprintf(stderr, "error: --format must be csv or json\n");
    return 2;
  }
  auto api = ApiClient::from_env();
  if (!api) return 2;
  std::string base = "/v1/events/export?limit=" + std::to_string(a.page_size) + "&type=" + url_encode(a.type) + "&since=" + url_encode(a.since);
  if (!a.until.empty()) base += "&until=" + url_encode(a.until);
  if (!a.team.empty()) base += "&team=" + url_encode(a.team);
  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, &std::fclose);
  std::string cursor;
  int64_t count = 0;
  sj::parser parser;
  for (;;) {
    auto resp = api->get(base + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    if (!resp) return 1;  // a bad bound is refused by the first page, before the file is made
    if (!out) {
      out.reset(std::fopen(a.output.c_str(), "w"));
      if (!out) {
        std::fprintf(stderr, "error: cannot write %s\n", a.output.c_str());
        return 1;
      }
      if (a.format == "csv") {
        for (size_t i = 0; i < kColumns.size(); ++i) std::fprintf(out.get(), "%s%s", i ? "," : "", kColumns[i].data());
        std::fputc('\n', out.get());
      } else {
        std::fputs("[", out.get());
      }
    }
    try {
      simdjson::padded_string ps(resp->body);
      auto doc = parser.iterate(ps);
      for (auto e : doc["events"].get_array()) {
        sj::object o = e.get_object();
        if (a.format == "json") {
          std::string_view raw = o.raw_json().value();
          std::fprintf(out.get(), "%s\n%.*s", count ? "," : "", int(raw.size()), raw.data());
        } else {
          std::fputs(csv_line(o).c_str(), out.get());
        }
        ++count;
      }
      auto next = doc["next_cursor"];
      cursor = next.is_null() ? std::string() : std::string(next.get_string().value());
    } catch (const simdjson::simdjson_error&) {
      std::fprintf(stderr, "error: unexpected answer from the API\n");
      return 1;
    }
    if (cursor.empty()) break;
  }
  if (a.format == "json") std::fputs("\n]\n", out.get());
  std::fprintf(stderr, "exported %lld event(s) to %s\n", static_cast<long long>(count), a.output.c_str());
  return 0;
}

}  // namespace kt::cli
