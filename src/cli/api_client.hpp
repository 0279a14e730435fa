#pragma once
// The CLI's view of the Keeptrusts API: KEEPTRUSTS_API_URL + KEEPTRUSTS_API_TOKEN, blocking calls.
#include <optional>
#include <string>

#include "http/client.hpp"

namespace kt::cli {

class ApiClient {
 public:
  // nullopt (after printing a one-line error naming the variable) when the environment is incomplete.
  static std::optional<ApiClient> from_env();
  // GET path; prints a one-line error and returns nullopt on transport errors or non-2xx.
  std::optional<http::ClientResponse> get(const std::string& path_and_query) const;
  // Any method, with a JSON body when non-empty; the same error handling as get().
  std::optional<http::ClientResponse> send(const std::string& method, const std::string& path_and_query,
                                           const std::string& json_body = "") const;

 private:
  http::Url url_;
  std::string token_;
};

std::string url_encode(const std::string& s);

}  // namespace kt::cli
