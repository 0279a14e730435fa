#include "cli/api_client.hpp"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>

namespace kt::cli {
using namespace std::chrono_literals;

std::optional<ApiClient> ApiClient::from_env() {
  const char* url = std::getenv("KEEPTRUSTS_API_URL");
  const char* token = std::getenv("KEEPTRUSTS_API_TOKEN");
  if (!url || !*url) {
    std::fprintf(stderr, "error: KEEPTRUSTS_API_URL is not set (e.g. export KEEPTRUSTS_API_URL=http://localhost:8080)\n");
    return std::nullopt;
  }
  if (!token || !*token) {
    std::fprintf(stderr, "error: KEEPTRUSTS_API_TOKEN is not set (export an API token: the admin token, or a scoped one)\n");
    return std::nullopt;
  }
  auto parsed = http::Url::parse(url);
  if (!parsed) {
    std::fprintf(stderr, "error: KEEPTRUSTS_API_URL '%s' is not an http(s) URL\n", url);
    return std::nullopt;
  }
  ApiClient c;
  c.url_ = *parsed;
  c.token_ = token;
  return c;
}

std::optional<http::ClientResponse> ApiClient::get(const std::string& path_and_query) const {
  return send("GET", path_and_query);
}

std::optional<http::ClientResponse> ApiClient::send(const std::string& method, const std::string& path_and_query,
                                                    const std::string& json_body) const {
  http::ClientRequest r;
  r.method = method;
  r.target = url_.base_path + path_and_query;
  r.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!json_body.empty()) {
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = json_body;
  }
  try {
    auto resp = http::blocking_request(url_, std::move(r), 10000ms);
    if (resp.status >= 200 && resp.status < 300) return resp;
    // Show the API's own message from the error envelope.
    std::string message = resp.body;
    try {
      simdjson::padded_string ps(resp.body);
      simdjson::ondemand::parser p;
      auto doc = p.iterate(ps);
      message = std::string(doc["error"]["message"].get_string().value());
    } catch (const simdjson::simdjson_error&) {
    }
    std::fprintf(stderr, "error: API answered HTTP %d: %s\n", resp.status, message.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: cannot reach the API at %s: %s\n", url_.origin().c_str(), e.what());
  }
  return std::nullopt;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += char(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace kt::cli
