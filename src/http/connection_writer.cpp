#include "http/connection_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <charconv>
#include <stdexcept>

#include "http/head_writer.hpp"

namespace kt::http {
namespace {
namespace net = boost::asio;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
}  // namespace

HeadWriter ConnectionWriter::begin(State next, int status, std::string_view content_type, const Headers& extra) {
  if (state_ != State::none) throw std::logic_error("response already started");
  state_ = next;
  HeadWriter head;
  head.status_line(status);
  if (!content_type.empty()) head.field("Content-Type", content_type);
  add_extra(head, extra);
  return head;
}

awaitable<void> ConnectionWriter::send(int status, std::string_view content_type, std::string body,
                                       const Headers& extra) {
  HeadWriter head = begin(State::sent, status, content_type, extra);
  if (status_has_body(status)) head.content_length(body.size());
  if (!status_has_body(status) || omit_body_) body.clear();
  std::string text = head.finish();
  std::array<net::const_buffer, 2> pieces{net::buffer(text), net::buffer(body)};
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await net::async_write(stream_, pieces, use_tuple);
  stream_.expires_never();
  if (ec) broken_ = true;
}

awaitable<void> ConnectionWriter::start_stream(int status, std::string_view content_type, const Headers& extra) {
  HeadWriter head = begin(State::streaming, status, content_type, extra);
  head.field("Transfer-Encoding", "chunked");
  head_ = head.finish();
  co_return;
}

awaitable<void> ConnectionWriter::flush() {
  if (state_ == State::streaming && !head_.empty()) co_await write_stream_bytes({}, false);
}

awaitable<bool> ConnectionWriter::write_chunk(std::string_view data, bool last) {
  if (state_ != State::streaming) throw std::logic_error("write_chunk outside a stream");
  if (last) state_ = State::ended;
  if (broken_) co_return false;
  if (data.empty() && !last && head_.empty()) co_return true;  // an empty chunk would end the body
  co_await write_stream_bytes(data, last);
  co_return !broken_;
}

awaitable<void> ConnectionWriter::end_stream() {
  if (state_ == State::ended) co_return;
  if (state_ != State::streaming) throw std::logic_error("end_stream outside a stream");
  state_ = State::ended;
  if (broken_) co_return;
  co_await write_stream_bytes({}, true);
}

void ConnectionWriter::add_extra(HeadWriter& head, const Headers& extra) {
  for (const auto& [name, value] : extra) {
    if (iequals(name, "connection")) {
      if (iequals(value, "close")) keep_alive_ = false;
      continue;
    }
    head.field(name, value);
  }
  if (!keep_alive_) head.field("Connection", "close");
}

awaitable<void> ConnectionWriter::write_stream_bytes(std::string_view data, bool last) {
  char size_line[20];
  std::size_t size_len = 0;
  if (!data.empty()) {
    auto r = std::to_chars(size_line, size_line + sizeof size_line - 2, data.size(), 16);
    r.ptr[0] = '\r';
    r.ptr[1] = '\n';
    size_len = static_cast<std::size_t>(r.ptr + 2 - size_line);
  }
  std::string_view tail = data.empty() ? (last ? "0\r\n\r\n" : "") : (last ? "\r\n0\r\n\r\n" : "\r\n");
  std::array<net::const_buffer, 4> pieces{net::buffer(head_), net::buffer(size_line, size_len),
                                          net::buffer(data.data(), data.size()), net::buffer(tail.data(), tail.size())};
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await net::async_write(stream_, pieces, use_tuple);
  stream_.expires_never();
  head_.clear();
  if (ec) broken_ = true;
}

}  // namespace kt::http
