#pragma once
// Transport-level types shared by the server and the client. This layer knows no LLM.
#include <any>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kt::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// ASCII case-insensitive comparison (header names, schemes).
bool iequals(std::string_view a, std::string_view b);

// Case-insensitive header lookup.
std::optional<std::string_view> find_header(const Headers& h, std::string_view name);

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // "/v1/wallets/balance?team_id=x"
  Headers headers;
  std::string body;
  std::string remote;   // peer address and port, for logs ("127.0.0.1:51234", "::1:51234")
  // Set by the server's head hook for the handler (e.g. the authenticated caller); opaque to the server.
  std::any admitted;

  std::string_view remote_ip() const;  // `remote` without the port

  std::string_view path() const;  // target without the query
  // Percent-decoded query parameter; nullopt when absent.
  std::optional<std::string> query(std::string_view name) const;
  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

// An absolute URL split for the client: scheme http|https, host, port, and a base path
// ("/v1" for "https://api.openai.com/v1") to which request paths are appended.
struct Url {
  std::string scheme;
  std::string host;
  uint16_t port = 0;
  std::string base_path;
  bool tls() const { return scheme == "https"; }
  static std::optional<Url> parse(std::string_view text);
  std::string origin() const;  // "https://api.openai.com:443"
  // base_path + path: the target to send for `path` ("/chat/completions" -> "/v1/chat/completions").
  // The client sends ClientRequest::target as given; callers build it with this.
  std::string join(std::string_view path) const;
};

}  // namespace kt::http
