// The durable ledger log, both ends.
// BM_LedgerLog_GatewayWrite: what a request costs the gateway's log — its intent and its settle
//   record (with a ~1.2 KB decision event) built, framed with their checksums and written to a
//   segment file in /tmp (one write() per 16 requests, as a busy worker's loop turn groups them).
// BM_LedgerLog_Apply_*: what the API does with a shipped batch of N settles on a budget lease, each
//   with its event — the batch parsed (frames checked, records read) and applied by the store in
//   one transaction: journal lines and events inserted in bulk, one wallet and one lease update.
//   items_processed counts ledger writes: a settle and its event are two ("settles + events applied
//   per second", issue 10). PostgreSQL runs when KT_TEST_POSTGRES_URL is set (a schema of its own).
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "wire/log_wire.hpp"
#include "core/ids.hpp"
#include "core/json_duplicate_keys.hpp"
#include "core/period.hpp"
#include "ledger/postgres/pg_db.hpp"
#include "ledger/store.hpp"
#include "spool/frame.hpp"
#include "spool/segment_log.hpp"

namespace {

using kt::Money;
namespace ledger = kt::ledger;
namespace wire = kt::wire;

// A decision event of the size the gateway writes (~1.2 KB).
std::string sample_event(const std::string& id) {
  std::string e = "{\"id\":\"" + id +
                  "\",\"type\":\"decision\",\"timestamp\":\"2026-12-06T21:00:00.123456Z\",\"request_id\":\"req_"
                  "0123456789abcdef01234567\",\"route\":\"/v1/chat/completions\",\"consumer_group\":\"engineering\","
                  "\"team_id\":\"team_bench\",\"model\":\"gpt-4o-mini\",\"provider\":\"openai\",\"target\":\"openai\","
                  "\"decision\":\"allow\",\"verdict\":\"allow\",\"reason\":\"ok\",\"reason_code\":\"ok\",\"status\":200,"
                  "\"stream\":false,\"usage\":{\"prompt_tokens\":262,\"completion_tokens\":87,\"total_tokens\":349,"
                  "\"cached_tokens\":0,\"reasoning_tokens\":0,\"cache_creation_tokens\":0},\"usage_source\":\"provider\","
                  "\"cost\":0.0000915,\"estimated_cost\":0.0001929,\"currency\":\"USD\",\"price_version\":3,"
                  "\"prompt_tokens_estimate\":262,\"output_tokens_reserved\":256,\"max_tokens_requested\":256,"
                  "\"max_tokens_clamped\":null,\"stream_cut_at_reservation\":false,\"attempts\":[{\"attempt\":1,"
                  "\"target\":\"openai\",\"model\":\"gpt-4o-mini\",\"status\":200,\"outcome\":\"ok\",\"charged\":true}],"
                  "\"model_requested\":null,\"idempotency_key\":null,\"replay_of\":null,\"policies\":[{\"name\":"
                  "\"content-filter\",\"type\":\"content_filter\",\"action\":\"flag\",\"triggered\":false,"
                  "\"categories\":[]}],\"latency_us\":850,\"upstream_latency_us\":610,\"upstream_status\":200,"
                  "\"client_disconnected\":false,\"warnings\":[]}";
  return e;
}

const Money kHeld = Money::from_nanos(192900), kActual = Money::from_nanos(91500);

void BM_LedgerLog_GatewayWrite(benchmark::State& state) {
  std::string dir = "/tmp/kt-bench-spool-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  kt::spool::LogOptions o;
  o.fsync = kt::spool::FsyncPolicy::off;  // the interval syncer runs on its own thread, off this path
  auto log = kt::spool::SegmentLog::create(dir, o);
  int n = 0;
  for (auto _ : state) {
    std::string key = kt::new_id("req_") + ":1", eid = kt::new_id("evt_");
    wire::RecordRequest r{key, "team_bench", "lease_bench_1", key, "gpt-4o-mini", "openai", "engineering", false};
    log->append(wire::intent_record(r, kHeld, 262, 256));
    std::string event = sample_event(eid);
    log->append(wire::settle_record(r, kActual, kHeld, 262, 87, false,
                                    wire::RecordEvent{eid, "decision", kt::now_unix_micros(), event}));
    if (++n % 16 == 0) log->flush();
    if (n % 65536 == 0) {  // keep the folder small: what the API applied is deleted
      state.PauseTiming();
      log->release_through(log->last_seq());
      state.ResumeTiming();
    }
  }
  log->flush();
  log->remove();
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetLabel("requests (intent + settle with its event)");
}

struct ApplyFixture {
  std::unique_ptr<ledger::Store> store;
  std::string lease_id = "lease_bench";
  int64_t seq = 0;

  explicit ApplyFixture(const std::string& url) : store(ledger::open_store(url)) {
    int64_t now = kt::now_unix_seconds();
    store->allocate("team_bench", *Money::parse("1000000000"), "USD", "bench", now);
    ledger::LedgerOp acquire{};
    acquire.kind = ledger::LedgerOp::Kind::lease_acquire;
    acquire.lease_acquire = {lease_id, "team_bench", "gw_bench-w0", *Money::parse("100000000"),
                             *Money::parse("1"), 3600, 0, "gw_bench-w0"};
    store->apply({acquire}, now);
  }
  // One shipped batch: its header and n settle frames, as the API receives it.
  std::string batch_body(int n) {
    wire::BatchHeader h;
    h.log_id = "gw_bench-w0";
    h.holder = "gw_bench";
    h.thresholds = {50, 80, 95};
    std::string body = wire::encode_batch_header(h) + "\n";
    for (int i = 0; i < n; ++i) {
      std::string key = kt::new_id("req_") + ":1", eid = kt::new_id("evt_");
      wire::RecordRequest r{key, "team_bench", lease_id, key, "gpt-4o-mini", "openai", "engineering", false};
      kt::spool::append_frame(body, uint64_t(++seq),
                              wire::settle_record(r, kActual, kHeld, 262, 87, false,
                                                  wire::RecordEvent{eid, "decision", kt::now_unix_micros(),
                                                                    sample_event(eid)}));
    }
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    return body;
  }
};

void run_apply(benchmark::State& state, const std::string& url) {
  ApplyFixture f(url);
  const int n = int(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    std::string body = f.batch_body(n);  // the gateway's work, not the API's
    state.ResumeTiming();
    kt::ApiError err;
    auto batch = wire::decode_batch(body, err);
    if (!batch) {
      state.SkipWithError(err.message.c_str());
      break;
    }
    auto r = f.store->apply_log(*batch, kt::now_unix_seconds());
    benchmark::DoNotOptimize(r.applied_seq);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * n * 2);
  state.SetLabel("ledger writes (settle + event per request)");
}

void BM_LedgerLog_Apply_SqliteFile(benchmark::State& state) {
  const std::string path = "/tmp/kt-bench-log-" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  run_apply(state, "sqlite:" + path);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

void BM_LedgerLog_Apply_Postgres(benchmark::State& state) {
  const char* base = std::getenv("KT_TEST_POSTGRES_URL");
  if (!base || !*base) {
    state.SkipWithError("KT_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh start)");
    return;
  }
  std::string schema = "kt_bench_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}() % 100000);
  kt::ledger::postgres::admin_exec(base, "CREATE SCHEMA " + schema);
  std::string url = std::string(base) + (std::string(base).find('?') == std::string::npos ? "?" : "&") +
                    "options=-csearch_path%3D" + schema;
  run_apply(state, url);
  kt::ledger::postgres::admin_exec(base, "DROP SCHEMA " + schema + " CASCADE");
}

}  // namespace

// The duplicate-key and grammar check (the gateway runs it on every body it prices) over a decision
// event (~45 keys in one object). The API checks shipped events with simdjson instead (log_wire.cpp).
void BM_CheckJsonKeys_DecisionEvent(benchmark::State& state) {
  const std::string event = sample_event("evt_0123456789abcdef01234567");
  for (auto _ : state) benchmark::DoNotOptimize(kt::check_json_keys(event).ok());
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(event.size()));
}

BENCHMARK(BM_LedgerLog_GatewayWrite);
BENCHMARK(BM_CheckJsonKeys_DecisionEvent);
BENCHMARK(BM_LedgerLog_Apply_SqliteFile)->ArgName("batch")->Arg(64)->Arg(512);
BENCHMARK(BM_LedgerLog_Apply_Postgres)->ArgName("batch")->Arg(512)->UseRealTime();
