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
  // A branch-free loop over a local pointer, which the compiler turns into 16-byte compares and
  // selects (find_first_of would call memchr once per character; indexing out_ reloaded its data).
  std::size_t at = out_.size();
  out_.append(text.data(), text.size());
  char* p = out_.data() + at;
  for (std::size_t i = 0, n = text.size(); i < n; ++i) {
    char c = p[i];
    p[i] = c == '\r' || c == '\n' ? ' ' : c;
  }
}

bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

}  // namespace kt::http
