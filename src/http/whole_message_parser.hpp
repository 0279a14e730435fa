#pragma once
// Parsers that read a message straight into our own types: Beast's basic_parser (its grammar,
// limits and keep-alive rule, as in its request_parser and response_parser) with each field
// appended to our Headers as it arrives and the body appended to a string, never zero-filled
// first. Beast's own parsers keep each field as a node of an ordered set (an allocation and a
// case-insensitive insert per field), which the server and the client then copied into Headers
// and freed: ~4k instructions of a gateway request's ~131k (bench/profile.sh, callgrind).
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <string>

#include "http/client.hpp"
#include "http/types.hpp"

namespace kt::http {

template <bool isRequest, class Message>
class WholeMessageParser : public boost::beast::http::basic_parser<isRequest> {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  // The message so far: its head once the header is done, all of it once the parser is.
  Message& message() { return message_; }

 protected:
  Message message_;

 private:
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code&) override {
    message_.headers.emplace_back(std::string(name.data(), name.size()), std::string(value.data(), value.size()));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // basic_parser has already refused a length over its body limit.
    if (length) message_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view piece, error_code&) override { return append(piece); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view piece, error_code&) override { return append(piece); }
  void on_finish_impl(error_code&) override {}

  std::size_t append(string_view piece) {
    message_.body.append(piece.data(), piece.size());
    return piece.size();
  }
};

// A request into a Request (method, target, headers, body); the server fills in `remote`.
class WholeRequestParser final : public WholeMessageParser<true, Request> {
 public:
  int version() const { return version_; }  // 10 or 11

 private:
  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version,
                       error_code&) override {
    message_.method.assign(method.data(), method.size());
    message_.target.assign(target.data(), target.size());
    message_.headers.reserve(16);
    version_ = version;
  }
  void on_response_impl(int, string_view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_version;  // never called: this parser reads requests
  }
  int version_ = 11;
};

// A response into a ClientResponse (status, headers, body).
class WholeResponseParser final : public WholeMessageParser<false, ClientResponse> {
 private:
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_method;  // never called: this parser reads responses
  }
  void on_response_impl(int code, string_view, int, error_code&) override {
    message_.status = code;
    message_.headers.reserve(12);
  }
};

}  // namespace kt::http
