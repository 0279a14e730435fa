#!/usr/bin/env bash
# Sustained load (issue 10): 20 s of wrk against one gateway. Every answer reaches the ledger at its
# exact cost, the spend is visible within 1 s of the load's end, and the gateway's memory stays
# within its bound (128 MB) the whole time.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 1000000
start_example_gateway --threads 2
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
chat kt_cg_engineering_abc123 "$haiku" >/dev/null  # warm: prices and the first lease
hits0=$(mock_hits)
spent0=$(spent_nanos team_engineering)

load "$GW_URL/v1/chat/completions" kt_cg_engineering_abc123 "$haiku" 20 32 >"$WORK/wrk.txt" &
wrk_pid=$!
peak=$(peak_rss_kb "$GW_PID" "$wrk_pid")
wait "$wrk_pid" || fail "wrk failed: $(cat "$WORK/wrk.txt")"
ended=$(date +%s%N)
answers=$(( $(mock_hits) - hits0 ))
want=$(( spent0 + answers * 17100 ))  # 14 prompt + 25 completion tokens: $0.0000171 each
lag_ms=-1
for _ in $(seq 1 200); do
  if [ "$(spent_nanos team_engineering)" = "$want" ]; then lag_ms=$(( ($(date +%s%N) - ended) / 1000000 )); break; fi
  sleep 0.05
done
grep -E "Requests/sec|requests in" "$WORK/wrk.txt"
echo "answers: $answers, ledger lag after the load: ${lag_ms} ms, gateway peak RSS: $((peak / 1024)) MB"
[ "$answers" -gt 1000 ] && pass "$answers answers under load" || fail "too few answers: $answers"
[ "$lag_ms" -ge 0 ] && pass "every answer in the ledger at its exact cost" ||
  fail "spent $(spent_nanos team_engineering), expected $want (answers x 17,100 nano-dollars)"
[ "$lag_ms" -ge 0 ] && [ "$lag_ms" -le 1000 ] && pass "spend visible ${lag_ms} ms after the load's end" ||
  fail "the ledger lagged ${lag_ms} ms behind the load's end (bound: 1 s)"
[ "$peak" -le $(($(rss_bound_mb 128) * 1024)) ] && pass "gateway peak RSS $((peak / 1024)) MB <= $(rss_bound_mb 128) MB" ||
  fail "gateway peak RSS $((peak / 1024)) MB > $(rss_bound_mb 128) MB"
non2xx=$(grep -o "Non-2xx or 3xx responses: [0-9]*" "$WORK/wrk.txt" | grep -o "[0-9]*$" || echo 0)
assert_eq "0" "${non2xx:-0}" "no refusals under sustained load with money in the wallet"
eventually '[ "$("$KT" events tail --last 1 --format json | jq length)" = 1 ]' 5
out=$("$KT" ledger verify --database "$API_DB") || fail "kt ledger verify failed: $out"
finish
