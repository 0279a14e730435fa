// A worker's budget leases (budget_leases.hpp) without the network: a quiet team reserves at the
// API per request, and a block alert refuses from the spend this worker knows of (the API's last
// figure plus what it settled since), before anything is leased or reserved.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>

#include "gateway/budget/budget_leases.hpp"

namespace kt::gateway {
namespace {

Money usd(const char* s) { return *Money::parse(s); }

struct Leases {
  Leases() {
    char dir_template[] = "/tmp/kt_budget_leases_XXXXXX";
    dir = ::mkdtemp(dir_template);
    LedgerLogOptions lo;
    lo.dir = dir + "/ledger/gw-w0";
    lo.log_id = "gw-w0";
    lo.holder = "gw";
    log = std::make_unique<LedgerLog>(ioc, lo);
    BudgetLeases::Options o;
    o.max_amount = usd("5");
    o.block_at_percent = 90;
    o.holder = "gw-w0";
    o.log_id = "gw-w0";
    // Nothing listens there: a call to the API would fail the test's expectations, not hang it.
    client = std::make_unique<LedgerClient>(ioc, ApiLink{*http::Url::parse("http://127.0.0.1:9"), "t", &pool, nullptr},
                                            nullptr);
    leases = std::make_unique<BudgetLeases>(ioc, *client, *log, o);
  }
  ~Leases() {
    leases.reset();
    client.reset();
    log.reset();
    std::filesystem::remove_all(dir);
  }
  BudgetLeases::HoldResult hold(const char* team, const char* amount) {
    const std::string team_id(team);  // hold() takes it by reference: it must outlive the coroutine
    auto f = boost::asio::co_spawn(ioc, leases->hold(team_id, usd(amount)), boost::asio::use_future);
    // No API call is made on these paths, so this ends without the network.
    while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one() == 0) {
        ADD_FAILURE() << "the hold waits on something that never comes";
        return {};
      }
    }
    return f.get();
  }

  std::string dir;
  boost::asio::io_context ioc;
  http::ClientPool pool{ioc};
  std::unique_ptr<LedgerLog> log;
  std::unique_ptr<LedgerClient> client;
  std::unique_ptr<BudgetLeases> leases;
};

ledger::Balance balance(const char* budget, const char* spent) {
  ledger::Balance b;
  b.team_id = "eng";
  b.budget = usd(budget);
  b.spent = usd(spent);
  return b;
}

TEST(BudgetLeases, AQuietTeamReservesAtTheApiPerRequest) {
  Leases l;
  for (int i = 0; i < BudgetLeases::kLeaseMinRate - 1; ++i)
    EXPECT_EQ(l.hold("eng", "0.01").outcome, BudgetLeases::Outcome::use_reservation);
  EXPECT_EQ(l.client->pending(), 0u);  // nothing asked of the API
  EXPECT_EQ(l.leases->free_for("eng"), Money::zero());
  EXPECT_FALSE(l.leases->known_remaining("eng"));  // no answer from the API yet
}

TEST(BudgetLeases, ABlockAlertRefusesFromTheSpendKnownHere) {
  Leases l;
  EXPECT_EQ(l.hold("eng", "0.01").outcome, BudgetLeases::Outcome::use_reservation);
  l.leases->on_applied("eng", balance("1", "0.85"), Money::zero());
  EXPECT_EQ(l.leases->known_remaining("eng"), usd("0.15"));
  EXPECT_EQ(l.hold("eng", "0.01").outcome, BudgetLeases::Outcome::use_reservation);  // 85% < 90%
  l.leases->consume(BudgetLeases::Hold{"no-lease", usd("0.1")}, "eng", usd("0.06"));  // settled, not yet applied
  auto refused = l.hold("eng", "0.01");
  EXPECT_EQ(refused.outcome, BudgetLeases::Outcome::refused);
  EXPECT_EQ(refused.refusal.reserve_status, ledger::ReserveStatus::blocked);
  EXPECT_EQ(refused.refusal.balance.spent, usd("0.91"));
  EXPECT_EQ(refused.refusal.balance.budget, usd("1"));
  // The API applied that settle: its figure now includes it, nothing is counted twice.
  l.leases->on_applied("eng", balance("1", "0.89"), usd("0.06"));
  EXPECT_EQ(l.hold("eng", "0.01").outcome, BudgetLeases::Outcome::use_reservation);
}

}  // namespace
}  // namespace kt::gateway
