#include "http/head_writer.hpp"

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace kt::http {

HeadWriter& HeadWriter::status_line(int status) {
  auto reason = boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(static_cast<unsigned>(status)));
  out_ += "HTTP/1.1 ";
  char digits[8];
  out_.append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, status).ptr - digits));
  out_ += ' ';
  out_.append(reason.data(), reason.size());
  out_ += "\r\n";
  return *this;
}

HeadWriter& HeadWriter::request_line(std::string_view method, std::string_view target) {
  append_clean(method.empty() ? "GET" : method);
  out_ += ' ';
  append_clean(target.empty() ? "/" : target);
  out_ += " HTTP/1.1\r\n";
  return *this;
}

HeadWriter& HeadWriter::field(std::string_view name, std::string_view value) {
  append_clean(name);
  out_ += ": ";
  append_clean(value);
  out_ += "\r\n";
  return *this;
}

HeadWriter& HeadWriter::content_length(std::size_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  return field("Content-Length", std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

std::string HeadWriter::finish() {
  out_ += "\r\n";
  return std::move(out_);
}

void HeadWriter::append_clean(std::string_view text) {
  // (A plain loop: string_view::find_first_of calls memchr once per character.)
  std::size_t at = out_.size();
  out_.append(text.data(), text.size());
  for (std::size_t i = at; i < out_.size(); ++i)
    if (out_[i] == '\r' || out_[i] == '\n') out_[i] = ' ';
}

bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

}  // namespace kt::http
