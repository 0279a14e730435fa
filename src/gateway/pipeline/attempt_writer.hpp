#pragma once
// The response writer a request's upstream attempts write through (the attempt loop in pipeline.cpp).
//  - Holds back an error answer (status >= 500: upstream 5xx, or the gateway's own 502 for a
//    timeout or connect error) so that a retry or a fallback can still answer the client; the
//    attempt loop then flushes or drops it.
//  - Records what the client receives, for idempotent replay (only when asked: it copies bytes).
// Nothing can be held once a stream has started: from then on the client has the answer.
#include <optional>
#include <string>

#include "gateway/pipeline/idempotency_cache.hpp"
#include "http/server.hpp"

namespace kt::gateway {

class AttemptWriter final : public http::ResponseWriter {
 public:
  // Every answer carries X-Kt-Request-Id: request_id (added where a phase did not set it).
  AttemptWriter(http::ResponseWriter& client, std::string request_id, bool record)
      : client_(client), request_id_(std::move(request_id)), record_(record) {}

  boost::asio::awaitable<void> send(int status, std::string_view content_type, std::string body,
                                    const http::Headers& extra = {}) override;
  boost::asio::awaitable<void> start_stream(int status, std::string_view content_type,
                                            const http::Headers& extra = {}) override;
  boost::asio::awaitable<void> flush() override { co_await client_.flush(); }
  boost::asio::awaitable<bool> write_chunk(std::string_view data, bool last = false) override;
  boost::asio::awaitable<void> end_stream() override;
  bool responded() const override { return held_.has_value() || client_.responded(); }

  // Headers every answer carries from now on (x-ratelimit-*).
  void also_send(const http::Headers& h) { also_.insert(also_.end(), h.begin(), h.end()); }
  // Whether error answers are held back (more attempts remain) or sent at once.
  void hold_failures(bool on) { hold_ = on; }
  bool holding() const { return held_.has_value(); }
  // Sends the held error answer to the client (no attempt is left).
  boost::asio::awaitable<void> flush_held();
  // Forgets the held error answer (the next attempt answers instead).
  void drop_held() { held_.reset(); }

  // The answer as the client received it, when it was recorded and is complete (a whole body, or
  // a stream that ran to its end).
  std::optional<RecordedResponse> recorded() const;

 private:
  struct Held {
    int status;
    std::string content_type, body;
    http::Headers extra;
  };
  http::Headers with_request_id(const http::Headers& extra) const;

  http::ResponseWriter& client_;
  std::string request_id_;
  http::Headers also_;
  bool record_;
  bool hold_ = false;
  std::optional<Held> held_;
  RecordedResponse rec_;
  bool complete_ = false, streaming_ = false;
};

}  // namespace kt::gateway
