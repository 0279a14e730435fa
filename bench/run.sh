#!/usr/bin/env bash
# bench/run.sh: every figure of BENCHMARKS.md in one command.
#   1. builds kt, kt-mock-upstream and kt_bench (Release) in $KT_BENCH_BUILD (default build-bench/)
#   2. micro-benchmarks (Google Benchmark) pinned to the SUT cpu, and npm tiktoken@1.0.22 (wasm) on
#      the same corpus, same core, same run
#   3. the side-by-side harness (../shared/bench or $KT_BENCH_HARNESS: nginx mock, nginx proxy floor,
#      Portkey, wrk) with kt as the extra target in its full configuration (bench/sut.sh: kt api serve
#      on SQLite + two kt gateway processes, JSON and SSE), pinned by the harness to its SUT cpu
#   3b. the sustained truth (bench/sustained.sh): 20 s of load on kt and on the nginx proxy, the
#      time until the ledger holds every answer counted in: sustained rps, ledger lag, peak RSS of
#      gateway and API, CPU per request over all kt processes (work after the load included)
#   4. probes with kt pinned the same way: streaming first-byte latency (curl %{time_starttransfer},
#      kt vs direct), SSE event pacing through kt vs direct (kt-mock-upstream, 20 ms between events),
#      kt's RSS with 1,000 idle keep-alive connections
#   5. a summary against the goals of issue 5 ($OUT/summary.md)
# Results: $BENCH_HOME/<UTC stamp>/ (default bench/results/, git-ignored).
#
# Usage: bench/run.sh [--quick] [--skip-build] [--skip-micro] [--skip-harness] [--skip-sustained] [--skip-probes]
#                     [--ttfb-n N] [--idle-conns N] [--cpus L:M:S] [-- HARNESS OPTIONS...]
#   --quick: harness -d 3 -w 1 -r 1 --prewarm 5, micro-benchmarks 0.2 s each (~4 min in all)
#   anything after -- goes to the harness (e.g. -- --targets direct,nginx --payloads json)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${KT_BENCH_HARNESS:-$ROOT/../shared/bench}
BUILD=${KT_BENCH_BUILD:-$ROOT/build-bench}
BENCH_HOME=${BENCH_HOME:-$ROOT/bench/results}
QUICK=0; DO_BUILD=1; DO_MICRO=1; DO_HARNESS=1; DO_SUSTAINED=1; DO_PROBES=1; SUSTAINED_SECS=20
TTFB_N=200; IDLE_CONNS=1000; CPUS=0:0:1; MICRO_MIN_TIME=1
HARNESS_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; MICRO_MIN_TIME=0.2; shift;;
    --skip-build) DO_BUILD=0; shift;;
    --skip-micro) DO_MICRO=0; shift;;
    --skip-harness) DO_HARNESS=0; shift;;
    --skip-probes) DO_PROBES=0; shift;;
    --skip-sustained) DO_SUSTAINED=0; shift;;
    --ttfb-n) TTFB_N=$2; shift 2;;
    --idle-conns) IDLE_CONNS=$2; shift 2;;
    --cpus) CPUS=$2; shift 2;;
    --) shift; HARNESS_ARGS+=("$@"); break;;
    -h|--help) sed -n '2,20p' "$0"; exit 0;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
(( QUICK )) && HARNESS_ARGS=(-d 3 -w 1 -r 1 --prewarm 5 "${HARNESS_ARGS[@]+"${HARNESS_ARGS[@]}"}")
IFS=: read -r CPU_LOAD CPU_MOCK CPU_SUT <<<"$CPUS"
HARNESS_ARGS=(--cpus "$CPUS" "${HARNESS_ARGS[@]+"${HARNESS_ARGS[@]}"}")

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH_HOME/$STAMP
mkdir -p "$OUT"
echo "== results in $OUT"
JSON_PORT=19000; SSE_PORT=19001; API_PORT=19080; PACED_PORT=19002; PACED_MOCK_PORT=19090
CONSUMER='X-Consumer-Group: kt_cg_engineering_abc123'

# Processes started here (not the harness's): stopped by PID / process group at exit.
PIDS=(); GROUPS_=()
cleanup() {
  local p
  for p in "${GROUPS_[@]+"${GROUPS_[@]}"}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${GROUPS_[@]+"${GROUPS_[@]}"}" "${PIDS[@]+"${PIDS[@]}"}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

machine() {
  echo "$(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
}
machine >"$OUT/machine.txt"
echo "== machine: $(cat "$OUT/machine.txt"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/loadavg-start.txt"

# ------------------------------------------------------------------ 1. build
if (( DO_BUILD )); then
  echo "== building (Release) in $BUILD"
  CC=clang-16 CXX=clang++-16 cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DKT_BUILD_BENCH=ON >"$OUT/cmake.log"
  cmake --build "$BUILD" --target kt kt-mock-upstream kt_bench -j"$(nproc)" >>"$OUT/cmake.log"
fi
KT=$BUILD/kt; KT_MOCK=$BUILD/kt-mock-upstream; KT_BENCH=$BUILD/bench/kt_bench
"$ROOT/scripts/fetch-tokenizer-data.sh" >/dev/null

# ------------------------------------------------------------- 2. micro-benchmarks
if (( DO_MICRO )); then
  NODE_DIR=$BENCH_HOME/node
  if [[ ! -f "$NODE_DIR/node_modules/tiktoken/package.json" ]]; then
    echo "== installing npm tiktoken@1.0.22 (reference tokenizer) in $NODE_DIR"
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --no-save tiktoken@1.0.22 >"$OUT/npm.log" 2>&1
  fi
  CORPUS=$BENCH_HOME/tokenizer-corpus.txt
  echo "== tokenizer reference: npm tiktoken@1.0.22 (wasm) on cpu $CPU_SUT"
  NODE_PATH=$NODE_DIR/node_modules taskset -c "$CPU_SUT" node "$ROOT/bench/tokenizer_compare.mjs" "$CORPUS" \
    | tee "$OUT/tiktoken.txt"
  echo "== micro-benchmarks (kt_bench) on cpu $CPU_SUT"
  KT_TOKENIZER_CORPUS=$CORPUS taskset -c "$CPU_SUT" "$KT_BENCH" --benchmark_min_time="$MICRO_MIN_TIME" \
    --benchmark_out="$OUT/micro.json" --benchmark_out_format=json | tee "$OUT/micro.txt"
fi

# ------------------------------------------------------------------ 3. harness
if (( DO_HARNESS )); then
  [[ -x "$HARNESS/run.sh" ]] || { echo "harness not found at $HARNESS (set KT_BENCH_HARNESS)" >&2; exit 1; }
  echo "== side-by-side harness ($HARNESS) with kt as the extra target"
  BENCH_HOME=$BENCH_HOME/harness "$HARNESS/run.sh" --out "$OUT/harness" \
    --extra-name kt \
    --extra-cmd "exec $ROOT/bench/sut.sh $KT $OUT/sut-harness" \
    --extra-url "http://127.0.0.1:$JSON_PORT/v1/chat/completions" \
    --extra-sse-url "http://127.0.0.1:$SSE_PORT/v1/chat/completions" \
    --extra-ready "http://127.0.0.1:$JSON_PORT/health" \
    --extra-header "$CONSUMER" \
    "${HARNESS_ARGS[@]}" 2>&1 | tee "$OUT/harness.txt"
fi

# ----------------------------------------------------------------- 3b. sustained
if (( DO_SUSTAINED )); then
  echo "== sustained: ${SUSTAINED_SECS} s of load on the nginx proxy and on kt, until the ledger holds every answer"
  "$ROOT/bench/sustained.sh" "$OUT" "$KT" "$HARNESS" "$CPUS" "$SUSTAINED_SECS" | sed 's/^/   /'
fi

# ------------------------------------------------------------------- 4. probes
if (( DO_PROBES )); then
  echo "== probes: kt pinned to cpu $CPU_SUT, mocks on cpu $CPU_MOCK"
  RUN=$OUT/probe-run; mkdir -p "$RUN/mock/tmp"
  taskset -c "$CPU_MOCK" nginx -e "$RUN/mock.error.log" -p "$RUN/mock/" -c "$HARNESS/nginx/mock.conf" \
    -g "pid $RUN/mock.pid;" >"$RUN/mock.log" 2>&1 &
  PIDS+=($!)
  taskset -c "$CPU_MOCK" "$KT_MOCK" --listen "127.0.0.1:$PACED_MOCK_PORT" >"$RUN/paced-mock.log" 2>&1 &
  PIDS+=($!)
  KT_PACED_PORT=$PACED_PORT KT_PACED_UPSTREAM=http://127.0.0.1:$PACED_MOCK_PORT \
    setsid taskset -c "$CPU_SUT" "$ROOT/bench/sut.sh" "$KT" "$RUN/sut" >"$RUN/sut.log" 2>&1 &
  GROUPS_+=($!)
  for i in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$JSON_PORT/health" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null "http://127.0.0.1:$JSON_PORT/health" || { echo "kt did not start; see $RUN" >&2; exit 1; }

  # a. streaming first byte: curl %{time_starttransfer}, sequential, a new connection each
  BODY_SSE="$HARNESS/bodies/chat_stream.json"
  ttfb() {  # NAME URL [HEADER]
    local f=$OUT/ttfb.$1.txt; : >"$f"
    for (( i = 0; i < TTFB_N + 20; i++ )); do
      taskset -c "$CPU_LOAD" curl -s -o /dev/null -w '%{time_starttransfer}\n' -X POST -H 'Content-Type: application/json' \
        ${3:+-H "$3"} --data-binary "@$BODY_SSE" "$2" >>"$f.all"
    done
    tail -n "$TTFB_N" "$f.all" >"$f"; rm -f "$f.all"   # first 20 are warm-up
    python3 "$ROOT/bench/lib/probe.py" stats "$f" >"$OUT/ttfb.$1.json"
    echo "   first byte $1: $(cat "$OUT/ttfb.$1.json")"
  }
  ttfb direct "http://127.0.0.1:18080/sse/v1/chat/completions"
  ttfb kt "http://127.0.0.1:$SSE_PORT/v1/chat/completions" "$CONSUMER"

  # b. pacing: events 20 ms apart from kt-mock-upstream, arrival times direct vs through kt. The body
  #    asks for the usage chunk, so the upstream sends the same events on both paths (without it, kt
  #    asks the upstream for usage itself and hides that chunk: the upstream then sends one more
  #    event, 20 ms later, before [DONE], and [DONE] arrives one gap later than direct).
  PACED_BODY='{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"[mock:chunk_delay_ms=20] Tell me a short story."}]}'
  python3 "$ROOT/bench/lib/probe.py" chunks "http://127.0.0.1:$PACED_MOCK_PORT/v1/chat/completions" "$PACED_BODY" \
    >"$OUT/pacing.direct.json"
  python3 "$ROOT/bench/lib/probe.py" chunks "http://127.0.0.1:$PACED_PORT/v1/chat/completions" "$PACED_BODY" "$CONSUMER" \
    >"$OUT/pacing.kt.json"
  echo "   SSE pacing direct: $(cat "$OUT/pacing.direct.json")"
  echo "   SSE pacing kt:     $(cat "$OUT/pacing.kt.json")"

  # c. RSS with idle keep-alive connections (JSON gateway process; the API process listed apart)
  python3 "$ROOT/bench/lib/probe.py" idle-rss "127.0.0.1:$JSON_PORT" "$IDLE_CONNS" "$HARNESS/bodies/chat.json" "$CONSUMER" \
    "$(cat "$RUN/sut/gateway-json.pid")" "$(cat "$RUN/sut/api.pid")" >"$OUT/idle-rss.json"
  echo "   idle keep-alive: $(cat "$OUT/idle-rss.json")"
fi

echo "$(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/loadavg-end.txt"
# -------------------------------------------------------------------- 5. summary
python3 "$ROOT/bench/lib/summary.py" "$OUT" | tee "$OUT/summary.md"
