#pragma once
// The server's ResponseWriter for one request on one connection (internal to the server).
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <string>

#include "http/head_writer.hpp"
#include "http/server.hpp"

namespace kt::http {

class ConnectionWriter final : public ResponseWriter {
 public:
  ConnectionWriter(boost::beast::tcp_stream& stream, bool keep_alive, std::chrono::milliseconds write_timeout)
      : stream_(stream), keep_alive_(keep_alive), write_timeout_(write_timeout) {}

  awaitable<void> send(int status, std::string_view content_type, std::string body, const Headers& extra) override;
  awaitable<void> start_stream(int status, std::string_view content_type, const Headers& extra) override;
  awaitable<void> flush() override;
  awaitable<bool> write_chunk(std::string_view data, bool last) override;
  awaitable<void> end_stream() override;

  // A HEAD request: send() announces the body's length but leaves the body out (RFC 9110 9.3.2).
  void omit_body() { omit_body_ = true; }

  bool responded() const override { return state_ != State::none; }
  // The connection can serve another request after this response.
  bool reusable() const { return keep_alive_ && !broken_ && (state_ == State::sent || state_ == State::ended); }

 private:
  enum class State { none, sent, streaming, ended };

  // The status line, Content-Type and extra headers of the one response (moving to `next`).
  HeadWriter begin(State next, int status, std::string_view content_type, const Headers& extra);
  // The extra headers, then Connection: close when the connection ends after this response.
  void add_extra(HeadWriter& head, const Headers& extra);
  // One gathered write: the held head (if any), `data` as a chunk (if any), the last chunk (if
  // `last`).
  awaitable<void> write_stream_bytes(std::string_view data, bool last);

  boost::beast::tcp_stream& stream_;
  bool keep_alive_;
  std::chrono::milliseconds write_timeout_;
  State state_ = State::none;
  bool broken_ = false;
  bool omit_body_ = false;
  std::string head_;  // a stream's head, held until its first write
};

}  // namespace kt::http
