// Price + reserve + settle, two ways.
// BM_PriceReserveSettle_InProcessLease: the gateway's hot path under load — a request's estimate
// held on the worker's budget lease (LeasePool), then settled to its actual cost, and the settle
// op built and queued for the API's next batch (what BudgetLeases::settle does, minus the send).
// The others: the SQLite store's apply(), which the API runs for each batch a gateway sends. They
// benchmark that, in memory (":memory:", no fsync) and on a file in /tmp (WAL, synchronous=NORMAL,
// what `kt api serve --database sqlite:...` uses), with the batch shape seen under load: N new
// reserves plus the N settles of the previous batch in one apply(), i.e. one transaction.
// items_processed counts requests (one reserve + one settle each).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/period.hpp"
#include "gateway/budget/lease_pool.hpp"
#include "ledger/store.hpp"

namespace {

using kt::Money;
using kt::PricePer1k;
namespace ledger = kt::ledger;

Money money(const char* text) { return *Money::parse(text); }

struct Fixture {
  std::unique_ptr<ledger::Store> store;
  PricePer1k input{money("0.00015")}, output{money("0.0006")};
  int64_t next = 0;
  std::vector<ledger::LedgerOp> settles_due;  // settles of the previous batch

  explicit Fixture(const std::string& url) : store(ledger::open_store(url)) {
    store->allocate("team_bench", money("1000000"), "USD", "bench", kt::now_unix_seconds());
  }

  std::vector<ledger::LedgerOp> batch(int n) {
    std::vector<ledger::LedgerOp> ops = std::move(settles_due);
    settles_due.clear();
    for (int i = 0; i < n; ++i) {
      std::string key = "req_bench" + std::to_string(next++) + ":1";
      // price: the worst case (prompt estimate + max_tokens) and the actual usage
      Money estimate = kt::cost_of_terms({{262, input}, {256, output}});
      Money actual = kt::cost_of_terms({{262, input}, {87, output}});
      ledger::LedgerOp r{};
      r.kind = ledger::LedgerOp::Kind::reserve;
      r.reserve = {key, "team_bench", estimate, 100, "", ""};
      ops.push_back(std::move(r));
      ledger::LedgerOp s{};
      s.kind = ledger::LedgerOp::Kind::settle;
      s.settle = {key, "team_bench", actual, "gpt-4o-mini", "openai", "engineering", 262, 87, {50, 80, 95}, "", {}};
      settles_due.push_back(std::move(s));
    }
    return ops;
  }
};

void run(benchmark::State& state, const std::string& url) {
  Fixture f(url);
  const int n = int(state.range(0));
  for (auto _ : state) {
    auto ops = f.batch(n);
    auto results = f.store->apply(ops, kt::now_unix_seconds());
    benchmark::DoNotOptimize(results.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * n);
  state.SetLabel("requests = reserve+settle pairs");
}

void BM_PriceReserveSettle_SqliteMemory(benchmark::State& state) { run(state, "sqlite::memory:"); }

void BM_PriceReserveSettle_SqliteFile(benchmark::State& state) {
  const std::string path = "/tmp/kt-bench-ledger-" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  run(state, "sqlite:" + path);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

void BM_PriceReserveSettle_InProcessLease(benchmark::State& state) {
  kt::gateway::LeasePool pool(2);
  const int64_t now = kt::now_unix_seconds();
  kt::gateway::LeasePool::Lease lease;
  lease.id = "lease_bench";
  lease.team = "team_bench";
  lease.amount = money("1000000");
  lease.expires_at = now + 3600;
  pool.add(std::move(lease));
  PricePer1k input{money("0.00015")}, output{money("0.0006")};
  std::vector<ledger::SettleOp> queue;  // the ledger client's queue, handed over every 512
  queue.reserve(512);
  int64_t next = 0;
  for (auto _ : state) {
    Money estimate = kt::cost_of_terms({{262, input}, {256, output}});
    auto hold = pool.try_hold("team_bench", estimate, now);
    if (!hold) {
      state.SkipWithError("lease ran out");
      break;
    }
    Money actual = kt::cost_of_terms({{262, input}, {87, output}});
    pool.settle(*hold, actual);
    ledger::SettleOp op;
    op.key = "req_bench" + std::to_string(next++) + ":1";
    op.team_id = "team_bench";
    op.actual = actual;
    op.model = "gpt-4o-mini";
    op.provider = "openai";
    op.consumer_group = "engineering";
    op.prompt_tokens = 262;
    op.completion_tokens = 87;
    op.lease_id = hold->lease_id;
    op.estimate = hold->amount;
    queue.push_back(std::move(op));
    if (queue.size() == 512) queue.clear();
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetLabel("requests = hold+settle pairs, one core");
}

}  // namespace

BENCHMARK(BM_PriceReserveSettle_InProcessLease);
BENCHMARK(BM_PriceReserveSettle_SqliteMemory)->ArgName("batch")->Arg(1)->Arg(16)->Arg(64);
BENCHMARK(BM_PriceReserveSettle_SqliteFile)->ArgName("batch")->Arg(1)->Arg(64);
