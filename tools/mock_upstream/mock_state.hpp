#pragma once
// Counters and remembered requests shared by all worker threads of the mock.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "http/types.hpp"

namespace kt::mock {

class MockState {
 public:
  void count_hit() { ++hits_; }
  void count_chat() { ++chat_; }
  void count_stream() { ++streams_; }
  void count_embedding() { ++embeddings_; }
  uint64_t next_id() { return ++ids_; }

  // True while the request is among the first `times` ones carrying `key` (it must fail).
  bool should_fail(const std::string& key, int64_t times);

  void remember(const http::Request& req);
  std::string stats_json() const;
  std::string last_json() const;
  void reset();

 private:
  std::atomic<uint64_t> hits_{0}, chat_{0}, streams_{0}, embeddings_{0}, ids_{0};
  mutable std::mutex mu_;
  std::map<std::string, int64_t> fail_seen_;  // per fail_times key: requests seen so far
  std::string last_json_ = "{}";
};

}  // namespace kt::mock
