#!/usr/bin/env bash
# bench/sustained.sh: the sustained truth (issue 10). A throughput figure that leaves a backlog for
# the ledger to drain after the measurement is not a throughput figure, so this counts the time
# until the ledger has every answer:
#   sustained rps = answers / (load seconds + seconds until the ledger holds them all)
# beside the plain nginx proxy measured the same way, with everything of kt (API + both gateways)
# on the one SUT core, the harness's nginx mock on the mock core and wrk on the load core.
# Also: ledger lag at the load's end, peak RSS of the JSON gateway and of the API under load, and
# CPU microseconds per request over all kt processes, including the work done after the load.
#
# Usage: bench/sustained.sh OUT_DIR KT_BINARY HARNESS_DIR LOAD:MOCK:SUT SECONDS
# Writes OUT_DIR/sustained.json and prints it.
set -euo pipefail
OUT=${1:?out dir}; KT=${2:?kt}; HARNESS=${3:?harness dir}; CPUS=${4:-0:0:1}; SECS=${5:-20}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IFS=: read -r CPU_LOAD CPU_MOCK CPU_SUT <<<"$CPUS"
RUN=$OUT/sustained-run; mkdir -p "$RUN/mock/tmp" "$RUN/nginx/tmp"
# Ports of their own: the probes step starts another kt on the usual ones right after this.
JSON_PORT=19100; API_PORT=19180; export KT_JSON_PORT=$JSON_PORT KT_SSE_PORT=19101 KT_API_PORT=$API_PORT
BODY=$HARNESS/bodies/chat.json
CONSUMER='X-Consumer-Group: kt_cg_engineering_abc123'
export KEEPTRUSTS_API_TOKEN=bench-admin-token
PIDS=(); GROUPS_=()
cleanup() {
  local p
  for p in "${GROUPS_[@]+"${GROUPS_[@]}"}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # kt's API is a grandchild: wait until its port is free, so whatever runs next can bind it.
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$API_PORT") 2>/dev/null || break; sleep 0.1; done
}
trap cleanup EXIT
up() { for _ in $(seq 1 300); do curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
wrk_json() {  # URL SECONDS [HEADER] -> the WRKJSON line
  taskset -c "$CPU_LOAD" wrk -t1 -c64 -d"$2s" --timeout 10s -s "$HARNESS/wrk/chat.lua" ${3:+-H "$3"} "$1" -- "$BODY" |
    grep '^WRKJSON' | cut -d' ' -f2-
}
ticks() {  # PID... -> utime + stime of each, summed (clock ticks)
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
spent() {
  curl -fsS "http://127.0.0.1:$API_PORT/v1/wallets/balance?team_id=team_engineering" \
    -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" | python3 -c '
import decimal, json, sys
b = json.load(sys.stdin, parse_float=decimal.Decimal)
print(int(b["spent"] * 1000000000))'
}

taskset -c "$CPU_MOCK" nginx -e "$RUN/mock.error.log" -p "$RUN/mock/" -c "$HARNESS/nginx/mock.conf" \
  -g "pid $RUN/mock.pid;" >"$RUN/mock.log" 2>&1 &
PIDS+=($!)
up http://127.0.0.1:18080/health || { echo "mock did not start" >&2; exit 1; }

# The floor: a plain nginx reverse proxy on the SUT core, same load, same length.
taskset -c "$CPU_SUT" nginx -e "$RUN/nginx.error.log" -p "$RUN/nginx/" -c "$HARNESS/nginx/proxy.conf" \
  -g "pid $RUN/nginx.pid;" >"$RUN/nginx.log" 2>&1 &
NGINX_PID=$!
up http://127.0.0.1:18081/health || { echo "nginx proxy did not start" >&2; exit 1; }
wrk_json http://127.0.0.1:18081/v1/chat/completions 3 >/dev/null  # warm
NGINX=$(wrk_json http://127.0.0.1:18081/v1/chat/completions "$SECS")
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true

# kt in its full configuration (bench/sut.sh), all of it on the SUT core.
setsid taskset -c "$CPU_SUT" "$ROOT/bench/sut.sh" "$KT" "$RUN/sut" >"$RUN/sut.log" 2>&1 &
GROUPS_+=($!)
up "http://127.0.0.1:$JSON_PORT/health" || { echo "kt did not start; see $RUN/sut" >&2; exit 1; }
URL=http://127.0.0.1:$JSON_PORT/v1/chat/completions
curl -fsS -o /dev/null -X POST "$URL" -H "$CONSUMER" -H 'Content-Type: application/json' --data-binary "@$BODY"
for _ in $(seq 1 100); do s=$(spent); [ "$s" -gt 0 ] && break; sleep 0.05; done
UNIT=$s  # one answer's cost, exactly
WARM=$(wrk_json "$URL" 3 "$CONSUMER")  # warm: leases, caches
WARM_ANSWERS=$(python3 -c 'import json,sys; w=json.loads(sys.argv[1]); print(w["requests"] - w["errors"]["status"])' "$WARM")
API_PID=$(cat "$RUN/sut/api.pid"); GW_PID=$(cat "$RUN/sut/gateway-json.pid"); SSE_PID=$(cat "$RUN/sut/gateway-sse.pid")
SPENT0=$(( (1 + WARM_ANSWERS) * UNIT ))  # what the ledger holds once the warm-up is in
for _ in $(seq 1 200); do [ "$(spent)" -ge "$SPENT0" ] && break; sleep 0.05; done
T0=$(ticks "$API_PID" "$GW_PID" "$SSE_PID")

taskset -c "$CPU_LOAD" wrk -t1 -c64 -d"${SECS}s" --timeout 10s -s "$HARNESS/wrk/chat.lua" -H "$CONSUMER" "$URL" -- "$BODY" \
  >"$RUN/wrk.txt" &
WRK=$!
PEAK_GW=0; PEAK_API=0
while kill -0 "$WRK" 2>/dev/null; do
  r=$(rss_kb "$GW_PID"); [ "$r" -gt "$PEAK_GW" ] && PEAK_GW=$r
  r=$(rss_kb "$API_PID"); [ "$r" -gt "$PEAK_API" ] && PEAK_API=$r
  sleep 0.25
done
wait "$WRK"
END=$(date +%s%N)
KT_LOAD=$(grep '^WRKJSON' "$RUN/wrk.txt" | cut -d' ' -f2-)
read -r ANSWERS ERRORS DURATION < <(python3 -c '
import json, sys
w = json.loads(sys.argv[1]); e = w["errors"]
print(w["requests"] - e["status"], sum(e.values()), w["duration_s"])' "$KT_LOAD")
WANT=$((SPENT0 + ANSWERS * UNIT))
LAG_MS=-1
for _ in $(seq 1 1200); do
  if [ "$(spent)" -ge "$WANT" ]; then LAG_MS=$(( ($(date +%s%N) - END) / 1000000 )); break; fi
  sleep 0.05
done
T1=$(ticks "$API_PID" "$GW_PID" "$SSE_PID")
HZ=$(getconf CLK_TCK)
sleep 1  # anything the gateways answered after wrk stopped counting (requests in flight at its end)
FINAL=$(spent)

python3 - "$OUT/sustained.json" <<PY
import json, sys
nginx = json.loads('''$NGINX''')
answers, duration, lag_ms = $ANSWERS, $DURATION, $LAG_MS
sustained = answers / (duration + max(lag_ms, 0) / 1000.0) if lag_ms >= 0 else 0
out = {
  "seconds": $SECS, "answers": answers, "errors": $ERRORS,
  "kt_load_rps": round(answers / duration, 1),
  "kt_sustained_rps": round(sustained, 1),
  "nginx_rps": round(nginx["rps"], 1),
  "sustained_ratio_to_nginx": round(sustained / nginx["rps"], 3),
  "ledger_lag_ms": lag_ms,
  # wrk does not count requests in flight when its time is up (up to 64 per run, warm-up included),
  # but the upstream answered them and the ledger has them: whole answers, at least wrk's count.
  "ledger_answers": ($FINAL // $UNIT) - 1 - $WARM_ANSWERS,
  "ledger_exact": $FINAL % $UNIT == 0 and 0 <= ($FINAL // $UNIT) - 1 - $WARM_ANSWERS - answers <= 128,
  "peak_rss_gateway_mb": round($PEAK_GW / 1024, 1),
  "peak_rss_api_mb": round($PEAK_API / 1024, 1),
  "cpu_us_per_request_all_kt": round(($T1 - $T0) / $HZ * 1e6 / max(answers, 1), 1),
}
json.dump(out, open(sys.argv[1], "w"), indent=1)
print(json.dumps(out))
PY
