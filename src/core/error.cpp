#include "core/error.hpp"

namespace kt {

std::string error_envelope(const ApiError& e, const std::function<void(JsonWriter&)>& extra) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("message", e.message).field("type", e.type).field("code", e.code);
  if (extra) extra(w);
  w.end_object().end_object();
  return w.take();
}

ApiError bad_request(std::string code, std::string message) {
  return {400, "invalid_request_error", std::move(code), std::move(message)};
}
ApiError unauthorized(std::string message) {
  return {401, "authentication_error", "invalid_api_key", std::move(message)};
}
ApiError not_found(std::string message) { return {404, "not_found_error", "not_found", std::move(message)}; }

std::string duplicate_key_body(const std::string& path) {
  ApiError e = bad_request("duplicate_key", "the request body gives the key '" + path +
                                                "' more than once; send each key once (JSON parsers disagree on which one counts)");
  return error_envelope(e, [&](JsonWriter& w) { w.field("param", path); });
}

}  // namespace kt
