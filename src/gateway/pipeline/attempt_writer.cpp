#include "gateway/pipeline/attempt_writer.hpp"

namespace kt::gateway {
using boost::asio::awaitable;

http::Headers AttemptWriter::with_request_id(const http::Headers& extra) const {
  http::Headers h = extra;
  if (!http::find_header(h, "X-Kt-Request-Id")) h.emplace_back("X-Kt-Request-Id", request_id_);
  for (const auto& kv : also_)
    if (!http::find_header(h, kv.first)) h.push_back(kv);
  return h;
}

awaitable<void> AttemptWriter::send(int status, std::string_view content_type, std::string body,
                                    const http::Headers& extra) {
  if (hold_ && status >= 500 && !client_.responded()) {
    held_ = Held{status, std::string(content_type), std::move(body), extra};
    co_return;
  }
  if (record_) {
    rec_.status = status;
    rec_.content_type = std::string(content_type);
    rec_.body = body;
    complete_ = true;
  }
  http::Headers headers = with_request_id(extra);
  co_await client_.send(status, content_type, std::move(body), headers);
}

awaitable<void> AttemptWriter::start_stream(int status, std::string_view content_type, const http::Headers& extra) {
  if (record_) {
    rec_.status = status;
    rec_.content_type = std::string(content_type);
    streaming_ = true;
  }
  http::Headers headers = with_request_id(extra);
  co_await client_.start_stream(status, content_type, headers);
}

awaitable<bool> AttemptWriter::write_chunk(std::string_view data, bool last) {
  bool ok = co_await client_.write_chunk(data, last);
  if (record_ && streaming_) {
    if (ok) rec_.body.append(data);
    else streaming_ = false;  // the client left: what it got is not a whole answer
    if (ok && last) complete_ = true;
  }
  co_return ok;
}

awaitable<void> AttemptWriter::end_stream() {
  if (record_ && streaming_) complete_ = true;
  co_await client_.end_stream();
}

awaitable<void> AttemptWriter::flush_held() {
  if (!held_) co_return;
  Held h = std::move(*held_);
  held_.reset();
  hold_ = false;
  co_await send(h.status, h.content_type, std::move(h.body), h.extra);
}

std::optional<RecordedResponse> AttemptWriter::recorded() const {
  if (!record_ || !complete_) return std::nullopt;
  return rec_;
}

}  // namespace kt::gateway
