// The ledger client (ledger_client.hpp) against a real HTTP server on loopback playing the API's
// POST /v1/gateway/ledger: reservations queued together go in one call, each gets its own answer,
// and an API that refuses the token or cannot be reached fails the reservation closed.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <mutex>

#include "../http/loopback_server.hpp"
#include "gateway/budget/ledger_client.hpp"
#include "wire/ledger_wire.hpp"

namespace kt::gateway {
namespace {

using http::test_support::LoopbackServer;

Money usd(const char* s) { return *Money::parse(s); }

// A wallet of $1 for team "eng": reserves that fit are held, the others refused.
struct FakeLedgerApi {
  std::mutex mu;
  Money reserved;
  std::vector<size_t> batch_sizes;
  std::vector<std::string> keys, authorizations;
  int status = 200;
  std::atomic<int> calls{0};
  // Set: the first call is answered only once the client has queued more behind it.
  std::optional<std::shared_future<void>> first_answer_waits_for;

  LoopbackServer start() {
    return LoopbackServer([this](http::Request& req, http::ResponseWriter& w) -> boost::asio::awaitable<void> {
      if (++calls == 1 && first_answer_waits_for) first_answer_waits_for->wait();  // the server's own thread
      std::string body;
      int answer;
      {
        std::lock_guard lock(mu);
        authorizations.emplace_back(req.header("authorization").value_or(""));
        answer = status;
        ApiError error;
        auto ops = wire::decode_ops(req.body, error);
        if (answer == 200 && ops) {
          batch_sizes.push_back(ops->size());
          std::vector<ledger::OpResult> results;
          for (const auto& op : *ops) {
            keys.push_back(op.reserve.key);
            ledger::OpResult r;
            r.balance.team_id = op.reserve.team_id;
            r.balance.budget = usd("1");
            if (reserved + op.reserve.amount <= usd("1")) reserved += op.reserve.amount;
            else r.reserve_status = ledger::ReserveStatus::insufficient;
            r.balance.reserved = reserved;
            results.push_back(r);
          }
          body = wire::encode_results(results);
        } else {
          body = R"({"error":{"message":"no","type":"forbidden","code":"forbidden"}})";
        }
      }
      co_await w.send(answer, "application/json", std::move(body));
    });
  }
};

ledger::ReserveOp reserve(const char* key, const char* amount) { return {key, "eng", usd(amount), 0, "log_1", ""}; }

// Runs the reservations at once on one worker's io_context and returns their answers in order.
std::vector<std::optional<ledger::OpResult>> reserve_all(const http::Url& url, std::vector<ledger::ReserveOp> ops,
                                                         std::shared_ptr<ApiAccess> access, uint64_t* failures = nullptr) {
  boost::asio::io_context ioc;
  http::ClientPool pool(ioc);
  LedgerClient client(ioc, ApiLink{url, "tok_gateway", &pool, std::move(access)}, nullptr);
  std::vector<std::optional<ledger::OpResult>> out(ops.size());
  for (size_t i = 0; i < ops.size(); ++i)
    boost::asio::co_spawn(ioc, [&, i]() -> boost::asio::awaitable<void> { out[i] = co_await client.reserve(ops[i]); },
                          boost::asio::detached);
  ioc.run();
  if (failures) *failures = client.failures();
  return out;
}

TEST(LedgerClient, ReservationsQueuedWhileACallIsInFlightGoTogetherAndEachGetsItsAnswer) {
  FakeLedgerApi api;
  std::promise<void> answer_first;
  api.first_answer_waits_for = answer_first.get_future().share();
  auto server = api.start();
  auto access = std::make_shared<ApiAccess>();
  boost::asio::io_context ioc;
  http::ClientPool pool(ioc);
  LedgerClient client(ioc, ApiLink{server.url(), "tok_gateway", &pool, access}, nullptr);
  std::vector<std::optional<ledger::OpResult>> got(3);
  auto spawn_reserve = [&](size_t i, ledger::ReserveOp op) {
    boost::asio::co_spawn(ioc, [&, i, op]() -> boost::asio::awaitable<void> { got[i] = co_await client.reserve(op); },
                          boost::asio::detached);
  };
  spawn_reserve(0, reserve("req_a:1", "0.4"));
  boost::asio::co_spawn(ioc, [&]() -> boost::asio::awaitable<void> {
    boost::asio::steady_timer pause(ioc);
    auto until = [&](auto done) -> boost::asio::awaitable<void> {
      while (!done()) {
        pause.expires_after(std::chrono::milliseconds(1));
        co_await pause.async_wait(boost::asio::use_awaitable);
      }
    };
    co_await until([&] { return api.calls.load() == 1; });  // the first call is at the API
    spawn_reserve(1, reserve("req_b:1", "0.5"));
    spawn_reserve(2, reserve("req_c:1", "0.2"));
    co_await until([&] { return client.pending() == 2; });  // both queued behind it
    answer_first.set_value();
  }, boost::asio::detached);
  ioc.run();

  ASSERT_TRUE(got[0] && got[1] && got[2]);
  EXPECT_EQ(got[0]->reserve_status, ledger::ReserveStatus::reserved);
  EXPECT_EQ(got[0]->balance.reserved, usd("0.4"));
  EXPECT_EQ(got[1]->reserve_status, ledger::ReserveStatus::reserved);
  EXPECT_EQ(got[1]->balance.remaining(), usd("0.1"));
  EXPECT_EQ(got[2]->reserve_status, ledger::ReserveStatus::insufficient);  // 0.2 > the 0.1 left
  EXPECT_EQ(got[2]->balance.reserved, usd("0.9"));
  EXPECT_EQ(api.batch_sizes, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(api.keys, (std::vector<std::string>{"req_a:1", "req_b:1", "req_c:1"}));
  EXPECT_EQ(api.authorizations, (std::vector<std::string>{"Bearer tok_gateway", "Bearer tok_gateway"}));
  EXPECT_EQ(client.failures(), 0u);
  EXPECT_FALSE(access->refused);
}

TEST(LedgerClient, ARefusedTokenFailsTheReservationClosedAndMarksTheAccessRefused) {
  FakeLedgerApi api;
  api.status = 403;
  auto server = api.start();
  auto access = std::make_shared<ApiAccess>();
  uint64_t failures = 0;
  auto got = reserve_all(server.url(), {reserve("req_d:1", "0.1")}, access, &failures);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0]);  // no answer: the request gets 503, never an unheld forward
  EXPECT_TRUE(access->refused);
  EXPECT_EQ(failures, 1u);
  EXPECT_EQ(api.reserved, Money::zero());
}

TEST(LedgerClient, AnUnreachableApiFailsTheReservationClosed) {
  http::Url nowhere;
  {
    FakeLedgerApi api;
    auto server = api.start();
    nowhere = server.url();
  }  // stopped: its port refuses connections now
  uint64_t failures = 0;
  auto got = reserve_all(nowhere, {reserve("req_e:1", "0.1")}, nullptr, &failures);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0]);
  EXPECT_EQ(failures, 1u);
}

}  // namespace
}  // namespace kt::gateway
