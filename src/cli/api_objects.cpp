#include "cli/api_objects.hpp"

#include <simdjson.h>

#include <cstdio>

#include "cli/api_client.hpp"

namespace kt::cli {
namespace sj = simdjson::ondemand;

namespace {

ApiObject read_object(sj::object o) {
  ApiObject out;
  for (auto f : o) {
    std::string key(f.unescaped_key().value());
    sj::value v = f.value();
    std::string_view s;
    if (v.type() == sj::json_type::number) {  // as the API wrote it (money stays exact)
      s = v.raw_json_token();
      while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
      out[key] = std::string(s);
      continue;
    }
    out[key] = !v.is_null() && v.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : "-";
  }
  return out;
}

}  // namespace

std::optional<std::string> call_for_text(const std::string& method, const std::string& path, const std::string& json_body,
                                         const std::string& format, int& exit_code) {
  auto api = ApiClient::from_env();
  exit_code = 2;
  if (!api) return std::nullopt;
  exit_code = 1;
  auto resp = method == "GET" ? api->get(path) : api->send(method, path, json_body);
  if (!resp) return std::nullopt;
  exit_code = 0;
  if (format != "json") return std::move(resp->body);
  std::printf("%s\n", resp->body.c_str());
  return std::nullopt;
}

void print_table(const std::vector<ApiObject>& rows, const std::vector<Column>& columns) {
  auto line = [&](auto text_of) {
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string text = text_of(columns[i]);
      if (i + 1 < columns.size()) std::printf("%-*s ", columns[i].width, text.c_str());
      else std::printf("%s\n", text.c_str());
    }
  };
  line([](const Column& c) { return std::string(c.header); });
  for (const auto& r : rows) line([&](const Column& c) { return field_of(r, c.field); });
}

int print_list(const std::string& path, const char* key, const char* what, const std::vector<Column>& columns,
               const std::string& format) {
  int rc = 0;
  auto body = call_for_text("GET", path, "", format, rc);
  if (!body) return rc;
  auto rows = parse_api_list(*body, key, what);
  if (!rows) return 1;
  print_table(*rows, columns);
  return 0;
}

std::string field_of(const ApiObject& o, const std::string& key) {
  auto it = o.find(key);
  return it == o.end() ? "-" : it->second;
}

std::optional<ApiObject> parse_api_object(const std::string& body, const char* what) {
  try {
    simdjson::padded_string ps(body);
    sj::parser p;
    auto doc = p.iterate(ps);
    return read_object(doc.get_object());
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: the API's answer is not %s\n", what);
    return std::nullopt;
  }
}

std::optional<std::vector<ApiObject>> parse_api_list(const std::string& body, const char* key, const char* what) {
  std::vector<ApiObject> rows;
  try {
    simdjson::padded_string ps(body);
    sj::parser p;
    auto doc = p.iterate(ps);
    for (auto item : doc[key].get_array()) rows.push_back(read_object(item.get_object()));
  } catch (const simdjson::simdjson_error&) {
    std::fprintf(stderr, "error: the API's answer is not %s\n", what);
    return std::nullopt;
  }
  return rows;
}

}  // namespace kt::cli
