#!/usr/bin/env bash
# bench/ab.sh: an interleaved A/B of kt binaries at the harness's settings, for one mode and payload
# (e.g. a change's effect on the lone client's latency). Each round runs every binary once, in turn.
# Usage: bench/ab.sh OUT ROUNDS MODE PAYLOAD KT_A KT_B [KT_C ...]   (MODE lat|load, PAYLOAD json|sse)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${KT_BENCH_HARNESS:-$ROOT/../shared/bench}
OUT=$1; ROUNDS=$2; MODE=$3; PAYLOAD=$4; shift 4
mkdir -p "$OUT"
for r in $(seq 1 "$ROUNDS"); do
  i=0
  for kt in "$@"; do
    i=$((i + 1))
    run=$OUT/r$r-b$i
    BENCH_HOME=$OUT/home "$HARNESS/run.sh" --out "$run" --targets direct --modes "$MODE" --payloads "$PAYLOAD" \
      -d 5 -w 2 -r 1 --prewarm 3 --quiet-wait 0 --noisy-retries 0 \
      --extra-name kt --extra-cmd "exec $ROOT/bench/sut.sh $kt $run/sut" \
      --extra-url "http://127.0.0.1:19000/v1/chat/completions" \
      --extra-sse-url "http://127.0.0.1:19001/v1/chat/completions" \
      --extra-ready "http://127.0.0.1:19000/health" \
      --extra-header 'X-Consumer-Group: kt_cg_engineering_abc123' >"$run.log" 2>&1 || { echo "run $run failed"; tail -5 "$run.log"; }
    echo "round $r binary $i ($kt): $(grep -E '^\| kt ' "$run/summary.md" | head -1)"
  done
done
