#include "mock_state.hpp"

#include "core/json_writer.hpp"

namespace kt::mock {

bool MockState::should_fail(const std::string& key, int64_t times) {
  std::lock_guard lock(mu_);
  return ++fail_seen_[key] <= times;
}

void MockState::remember(const http::Request& req) {
  JsonWriter w;
  w.begin_object().field("path", req.target).key("headers").begin_object();
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    w.field(lower, value);
  }
  w.end_object().field("body", req.body).end_object();
  std::lock_guard lock(mu_);
  last_json_ = w.take();
}

std::string MockState::stats_json() const {
  JsonWriter w;
  w.begin_object()
      .field("hits", hits_.load())
      .field("chat", chat_.load())
      .field("embeddings", embeddings_.load())
      .field("streams", streams_.load())
      .end_object();
  return w.take();
}

std::string MockState::last_json() const {
  std::lock_guard lock(mu_);
  return last_json_;
}

void MockState::reset() {
  hits_ = 0;
  chat_ = 0;
  streams_ = 0;
  embeddings_ = 0;
  std::lock_guard lock(mu_);
  fail_seen_.clear();
}

}  // namespace kt::mock
