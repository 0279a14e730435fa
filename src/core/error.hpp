#pragma once
// The one error envelope every response uses: {"error":{"message","type","code",...}}.
#include <functional>
#include <string>
#include <string_view>

#include "core/json_writer.hpp"

namespace kt {

struct ApiError {
  int status = 400;
  std::string type;     // invalid_request_error, authentication_error, budget_exceeded, ...
  std::string code;     // machine-readable detail: invalid_json, insufficient_balance, ...
  std::string message;  // for people; never a secret or a stack trace
};

// Builds the envelope; `extra` may add fields inside "error" (details, policy, param).
std::string error_envelope(const ApiError& e, const std::function<void(JsonWriter&)>& extra = {});

// Common errors.
ApiError bad_request(std::string code, std::string message);
ApiError unauthorized(std::string message);
ApiError not_found(std::string message);
// The envelope of 400 duplicate_key: a JSON body gives the key at `path` ("messages[0].content")
// twice; "param" names it too. core/json_duplicate_keys.hpp says why that is refused.
std::string duplicate_key_body(const std::string& path);

}  // namespace kt
