#include "gateway/cache/redis_link.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace kt::gateway {
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;

struct RedisLink::Pending {
  explicit Pending(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;  // the caller sleeps on it; a reply or a failure cancels it
  std::optional<RedisReply> reply;
  bool done = false;
  bool setup = false;  // AUTH or SELECT: an error reply closes the link
};

namespace {

RedisReply reply_of(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING: out.kind = RedisReply::Kind::string; break;
    case REDIS_REPLY_STATUS: out.kind = RedisReply::Kind::status; break;
    case REDIS_REPLY_ERROR: out.kind = RedisReply::Kind::error; break;
    case REDIS_REPLY_INTEGER: out.kind = RedisReply::Kind::integer; break;
    case REDIS_REPLY_ARRAY: out.kind = RedisReply::Kind::array; break;
    default: out.kind = RedisReply::Kind::nil; break;
  }
  if (r.str) out.text.assign(r.str, r.len);
  out.integer = r.integer;
  return out;
}

void append_command(std::string& out, const std::vector<std::string_view>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (auto a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  int n = redisFormatCommandArgv(&cmd, int(argv.size()), ptrs.data(), lens.data());
  if (n > 0) out.append(cmd, size_t(n));
  redisFreeCommand(cmd);
}

}  // namespace

RedisLink::RedisLink(asio::any_io_executor ex, config::RedisUrl url, Options o)
    : ex_(std::move(ex)), url_(std::move(url)), opt_(o), socket_(ex_), reader_(nullptr, redisReaderFree) {}

RedisLink::~RedisLink() = default;

bool RedisLink::resting() const { return state_ == State::closed && Clock::now() < retry_at_; }

void RedisLink::open_if_due() {
  if (state_ != State::closed || Clock::now() < retry_at_) return;
  state_ = State::connecting;
  reader_.reset(redisReaderCreate());
  asio::co_spawn(ex_, connect(gen_), asio::detached);
}

std::shared_ptr<RedisLink::Pending> RedisLink::enqueue(const std::vector<std::string_view>& argv) {
  auto p = std::make_shared<Pending>(ex_);
  append_command(out_, argv);
  waiting_.push_back(p);
  flush();
  return p;
}

awaitable<std::optional<RedisReply>> RedisLink::call(const std::vector<std::string_view>& argv) {
  auto self = shared_from_this();  // the link outlives every call in flight
  open_if_due();
  if (state_ == State::closed || waiting_.size() >= opt_.max_waiting) co_return std::nullopt;
  const uint64_t gen = gen_;
  auto p = enqueue(argv);
  p->timer.expires_after(opt_.deadline);
  error_code ec;
  co_await p->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!p->done) fail(gen, "no reply within the deadline");
  co_return std::move(p->reply);
}

void RedisLink::send(const std::vector<std::string_view>& argv) {
  open_if_due();
  if (state_ == State::closed || waiting_.size() >= opt_.max_waiting) return;  // dropped: a cache may forget
  enqueue(argv);
}

awaitable<void> RedisLink::connect(uint64_t gen) {
  auto self = shared_from_this();
  // A connect that hangs (a dropped SYN) must end even when no call is waiting to time it out.
  auto watchdog = std::make_shared<asio::steady_timer>(ex_, opt_.deadline * 4);
  watchdog->async_wait([self, gen, watchdog](error_code ec) {
    if (!ec && self->state_ == State::connecting) self->fail(gen, "connect timed out");
  });
  asio::ip::tcp::resolver resolver(ex_);
  error_code ec;
  auto endpoints = co_await resolver.async_resolve(url_.host, std::to_string(url_.port),
                                                   asio::redirect_error(use_awaitable, ec));
  if (gen != gen_) co_return;
  if (ec) co_return fail(gen, "cannot resolve the host");
  co_await asio::async_connect(socket_, endpoints, asio::redirect_error(use_awaitable, ec));
  if (gen != gen_) co_return;
  if (ec) co_return fail(gen, "cannot connect");
  watchdog->cancel();
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  state_ = State::open;
  // AUTH and SELECT go before whatever was queued while connecting; their replies come first.
  std::string setup;
  std::vector<std::shared_ptr<Pending>> firsts;
  auto add_setup = [&](const std::vector<std::string_view>& argv) {
    append_command(setup, argv);
    firsts.push_back(std::make_shared<Pending>(ex_));
    firsts.back()->setup = true;
  };
  if (!url_.password.empty()) add_setup({"AUTH", url_.password});
  const std::string db = std::to_string(url_.db);
  if (url_.db != 0) add_setup({"SELECT", db});
  out_.insert(0, setup);
  waiting_.insert(waiting_.begin(), firsts.begin(), firsts.end());
  if (warned_) spdlog::info("redis cache {}:{}: connected again", url_.host, url_.port);
  warned_ = false;
  asio::co_spawn(ex_, read_replies(gen), asio::detached);
  flush();
}

awaitable<void> RedisLink::read_replies(uint64_t gen) {
  auto self = shared_from_this();
  char buf[16384];
  for (;;) {
    error_code ec;
    size_t n = co_await socket_.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
    if (gen != gen_) co_return;
    if (ec) co_return fail(gen, ec == asio::error::eof ? "the server closed the connection" : "read failed");
    if (redisReaderFeed(reader_.get(), buf, n) != REDIS_OK) co_return fail(gen, "protocol error");
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) co_return fail(gen, "protocol error");
      if (!raw) break;
      RedisReply reply = reply_of(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      if (waiting_.empty()) co_return fail(gen, "a reply no command asked for");
      auto p = std::move(waiting_.front());
      waiting_.pop_front();
      // The reply's text is not logged: an AUTH error must not lead anyone to the password.
      if (p->setup && reply.kind == RedisReply::Kind::error) co_return fail(gen, "AUTH or SELECT refused");
      p->reply = std::move(reply);
      p->done = true;
      p->timer.cancel();
    }
  }
}

void RedisLink::flush() {
  if (state_ != State::open || writing_ || out_.empty()) return;
  writing_ = true;
  asio::co_spawn(ex_, write_out(gen_), asio::detached);
}

awaitable<void> RedisLink::write_out(uint64_t gen) {
  auto self = shared_from_this();
  while (!out_.empty()) {
    std::string chunk;
    chunk.swap(out_);
    error_code ec;
    co_await asio::async_write(socket_, asio::buffer(chunk), asio::redirect_error(use_awaitable, ec));
    if (gen != gen_) co_return;  // fail() already cleared writing_ for the next connection
    if (ec) co_return fail(gen, "write failed");
  }
  writing_ = false;
}

void RedisLink::fail(uint64_t gen, const char* why) {
  if (gen != gen_) return;
  ++gen_;
  state_ = State::closed;
  retry_at_ = Clock::now() + opt_.retry_after;
  error_code ec;
  socket_.close(ec);
  out_.clear();
  writing_ = false;
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& p : waiting) {
    p->done = true;
    p->timer.cancel();
  }
  if (!warned_)
    spdlog::warn("redis cache {}:{}: {}; requests bypass the cache until it answers again (tried every {} ms)",
                 url_.host, url_.port, why, opt_.retry_after.count());
  warned_ = true;
}

}  // namespace kt::gateway
