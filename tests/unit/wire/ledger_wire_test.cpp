// The ledger results a gateway decodes: each balance's period comes back whole, also when labels
// and zones alternate (the decoder keeps the last parsed period).
#include <gtest/gtest.h>

#include "wire/ledger_wire.hpp"

namespace {

using namespace kt;

ledger::OpResult result_with(const std::string& team, const std::string& label, const std::string& zone) {
  ledger::OpResult r;
  r.balance.team_id = team;
  r.balance.budget = *Money::parse("10");
  r.balance.spent = *Money::parse("0.00015");
  EXPECT_TRUE(parse_period_label(PeriodSpec{PeriodKind::monthly, zone}, label, r.balance.period)) << label << " " << zone;
  return r;
}

TEST(LedgerWire, ResultsKeepEachBalancesPeriod) {
  std::vector<ledger::OpResult> sent = {
      result_with("a", "2026-11", "UTC"),          result_with("b", "2026-11", "Europe/Paris"),
      result_with("c", "2026-11", "Europe/Paris"), result_with("d", "2026-W48", "UTC"),
      result_with("e", "2026-11", "UTC"),
  };
  auto got = wire::decode_results(wire::encode_results(sent));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    const auto& want = sent[i].balance;
    const auto& have = (*got)[i].balance;
    EXPECT_EQ(have.team_id, want.team_id);
    EXPECT_EQ(have.spent, want.spent);
    EXPECT_EQ(have.period.label, want.period.label) << i;
    EXPECT_EQ(have.period.timezone, want.period.timezone) << i;
    EXPECT_EQ(have.period.start, want.period.start) << i;
    EXPECT_EQ(have.period.end, want.period.end) << i;
  }
  // Paris's November starts an hour before UTC's.
  EXPECT_EQ((*got)[0].balance.period.start - (*got)[1].balance.period.start, 3600);
}

}  // namespace

namespace {

TEST(LedgerWire, OpsCarryTheGatewayLogThatWillSettleThem) {
  kt::ledger::LedgerOp reserve{};
  reserve.kind = kt::ledger::LedgerOp::Kind::reserve;
  reserve.reserve = kt::ledger::ReserveOp{"req_1:1", "team", *kt::Money::parse("0.5"), 0, "gw_a-w0", ""};
  kt::ledger::LedgerOp acquire{};
  acquire.kind = kt::ledger::LedgerOp::Kind::lease_acquire;
  acquire.lease_acquire =
      kt::ledger::LeaseAcquireOp{"lease_1", "team", "gw_a", *kt::Money::parse("2"), *kt::Money::parse("1"), 60, 0, "gw_a-w1"};
  kt::ApiError err;
  auto ops = kt::wire::decode_ops(kt::wire::encode_ops({reserve, acquire}), err);
  ASSERT_TRUE(ops) << err.message;
  EXPECT_EQ((*ops)[0].reserve.log_id, "gw_a-w0");
  EXPECT_EQ((*ops)[1].lease_acquire.log_id, "gw_a-w1");
}

}  // namespace
