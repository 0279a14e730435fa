#pragma once
// One worker's connection to Redis, on the worker's own io_context: commands are framed by hiredis
// (redisFormatCommandArgv) and replies parsed by its RESP reader, but the socket is an Asio one, so
// no call ever blocks the worker's thread and there is no extra thread.
//
// Commands are pipelined in order; replies come back in the same order. Every call waits at most
// `deadline`; a call that runs out of time, an I/O error or a refused AUTH closes the link, fails
// every waiting call at once, and the link is not tried again for `retry_after`: while Redis is
// known down a call returns at once instead of waiting out a deadline per request.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/redis_url.hpp"

struct redisReader;

namespace kt::gateway {

struct RedisReply {
  enum class Kind { string, nil, status, error, integer, array } kind = Kind::nil;
  std::string text;  // the string, status or error text
  long long integer = 0;
};

class RedisLink : public std::enable_shared_from_this<RedisLink> {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::milliseconds deadline{50};
    std::chrono::milliseconds retry_after{1000};
    size_t max_waiting = 1024;  // commands written and not yet answered; past it a call is refused
  };
  RedisLink(boost::asio::any_io_executor ex, config::RedisUrl url, Options o);
  ~RedisLink();

  // The reply, or nullopt when the link is down, too busy, or the reply did not come in time.
  boost::asio::awaitable<std::optional<RedisReply>> call(const std::vector<std::string_view>& argv);
  // Writes a command whose reply nobody waits for (an error reply closes the link all the same).
  void send(const std::vector<std::string_view>& argv);
  // Known down: the last failure was less than retry_after ago.
  bool resting() const;

 private:
  struct Pending;
  enum class State { closed, connecting, open };

  std::shared_ptr<Pending> enqueue(const std::vector<std::string_view>& argv);
  void open_if_due();
  boost::asio::awaitable<void> connect(uint64_t gen);
  boost::asio::awaitable<void> read_replies(uint64_t gen);
  void flush();
  boost::asio::awaitable<void> write_out(uint64_t gen);
  void deliver(RedisReply reply);
  void fail(uint64_t gen, const char* why);

  boost::asio::any_io_executor ex_;
  config::RedisUrl url_;
  Options opt_;
  boost::asio::ip::tcp::socket socket_;
  State state_ = State::closed;
  uint64_t gen_ = 0;  // bumped at each failure: coroutines of an older connection stop
  Clock::time_point retry_at_{};
  std::string out_;  // framed commands not yet written
  bool writing_ = false;
  std::deque<std::shared_ptr<Pending>> waiting_;  // in the order their replies will come
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  bool warned_ = false;  // one log line per outage, not one per request
};

}  // namespace kt::gateway
