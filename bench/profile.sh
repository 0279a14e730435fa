#!/usr/bin/env bash
# bench/profile.sh: where kt's JSON gateway spends its time under load, in its full configuration
# (bench/sut.sh), behind the harness's nginx mock, pinned like in bench/run.sh.
#   --tool callgrind (default): the gateway under valgrind --tool=callgrind, collection switched on
#       only once it is ready (start-up excluded), wrk -c8 for $SECONDS_ (default 20) s; prints the
#       top functions by exclusive and inclusive instruction count. User space only.
#   --tool perf: the gateway at full speed, wrk -c64, `perf record -e cpu-clock -g` (a software
#       clock: this VM exposes no hardware counters) on the gateway and the API, split by thread id
#       (the API's SQLite store runs on its own thread); includes kernel
#       time (syscalls, TCP).
# Output: $BENCH_HOME/profile-<tool>-<UTC stamp>/ (default bench/results/).
#   --connections N: wrk's connections instead (e.g. 1: the lone client's path, where latency is paid).
#   --process api: callgrind on the API instead of the gateway (its batches' HTTP, decoding and
#       SQLite apply); instructions per request = its total / the requests wrk counted.
# Usage: bench/profile.sh [--tool callgrind|perf] [--seconds N] [--payload json|sse] [--connections N]
#                         [--process gateway|api]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${KT_BENCH_HARNESS:-$ROOT/../shared/bench}
BUILD=${KT_BENCH_BUILD:-$ROOT/build-bench}
BENCH_HOME=${BENCH_HOME:-$ROOT/bench/results}
TOOL=callgrind; SECONDS_=20; PAYLOAD=json; CONNS=""; PROCESS=gateway
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tool) TOOL=$2; shift 2;;
    --seconds) SECONDS_=$2; shift 2;;
    --payload) PAYLOAD=$2; shift 2;;
    --connections) CONNS=$2; shift 2;;
    --process) PROCESS=$2; shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
case "$PAYLOAD" in
  json) PORT=19000; BODY=chat.json;;
  sse) PORT=19001; BODY=chat_stream.json
       # sut.sh wraps only the JSON gateway (the one it execs) in KT_GATEWAY_WRAPPER
       [[ "$TOOL" == perf ]] || { echo "--payload sse needs --tool perf" >&2; exit 2; };;
  *) echo "--payload is json or sse" >&2; exit 2;;
esac
OUT=$BENCH_HOME/profile-$TOOL-$PAYLOAD-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/mock/tmp"
KT=$BUILD/kt
[[ -x "$KT" ]] || { echo "build kt first (bench/run.sh builds it into $BUILD)" >&2; exit 1; }
PIDS=(); GROUP=""
cleanup() {
  [[ -n "$GROUP" ]] && kill -TERM -- "-$GROUP" 2>/dev/null || true
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

taskset -c 0 nginx -e "$OUT/mock.error.log" -p "$OUT/mock/" -c "$HARNESS/nginx/mock.conf" -g "pid $OUT/mock.pid;" \
  >"$OUT/mock.log" 2>&1 &
PIDS+=($!)
WRAP=""
if [[ "$TOOL" == callgrind ]]; then
  WRAP="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$OUT/callgrind.out"
fi
case "$PROCESS" in
  gateway) export KT_GATEWAY_WRAPPER=$WRAP;;
  api) export KT_API_WRAPPER=$WRAP;;
  *) echo "--process is gateway or api" >&2; exit 2;;
esac
setsid taskset -c 1 "$ROOT/bench/sut.sh" "$KT" "$OUT/sut" >"$OUT/sut.log" 2>&1 &
GROUP=$!
for i in $(seq 1 1200); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.1; done
GW_PID=$(cat "$OUT/sut/gateway-$PAYLOAD.pid")
PROFILED_PID=$GW_PID
[[ "$PROCESS" == api ]] && PROFILED_PID=$(cat "$OUT/sut/api.pid")
URL=http://127.0.0.1:$PORT/v1/chat/completions
WRK=(taskset -c 0 wrk -t1 -s "$HARNESS/wrk/chat.lua" -H 'X-Consumer-Group: kt_cg_engineering_abc123')
"${WRK[@]}" -c8 -d3s "$URL" -- "$HARNESS/bodies/$BODY" >"$OUT/warmup.txt" 2>&1 || true

if [[ "$TOOL" == callgrind ]]; then
  callgrind_control -i on "$PROFILED_PID" >/dev/null
  "${WRK[@]}" -c"${CONNS:-8}" -d"${SECONDS_}s" "$URL" -- "$HARNESS/bodies/$BODY" | tee "$OUT/wrk.txt"
  callgrind_control -i off "$PROFILED_PID" >/dev/null
  callgrind_control -d "$PROFILED_PID" >/dev/null
  sleep 1
  f=$(ls -t "$OUT"/callgrind.out* | head -1)
  { callgrind_annotate --inclusive=no "$f" 2>/dev/null || true; } | head -60 >"$OUT/exclusive.txt" || true
  { callgrind_annotate --inclusive=yes "$f" 2>/dev/null || true; } | head -80 >"$OUT/inclusive.txt" || true
  echo "== exclusive (self) instructions, top"; sed -n '1,60p' "$OUT/exclusive.txt"
else
  "${WRK[@]}" -c"${CONNS:-64}" -d"$((SECONDS_ + 4))s" "$URL" -- "$HARNESS/bodies/$BODY" >"$OUT/wrk.txt" 2>&1 &
  WRK_PID=$!
  sleep 2
  perf record -e cpu-clock -F 4999 -g -o "$OUT/perf.data" -p "$GW_PID,$(cat "$OUT/sut/api.pid")" -- sleep "$SECONDS_" 2>"$OUT/perf-record.log"
  wait "$WRK_PID" || true
  { perf report -i "$OUT/perf.data" --no-children --sort pid,dso,symbol --stdio -g none 2>/dev/null || true; } | grep -E "^ +[0-9.]+%" | head -120 >"$OUT/self.txt" || true
  { perf report -i "$OUT/perf.data" --no-children --sort pid,dso --stdio -g none 2>/dev/null || true; } | grep -E "^ +[0-9.]+%" | head -20 >"$OUT/by-dso.txt" || true
  echo "== by shared object"; cat "$OUT/by-dso.txt"
  echo "== self time, top"; head -40 "$OUT/self.txt"
fi
echo "== profile in $OUT"
