#!/usr/bin/env bash
# The API stopped for 30 s under load (issue 10): answers pile up in the gateway's ledger log up to
# its cap, then new priced requests wait briefly and get 503 ledger_backlog with Retry-After; the
# gateway's memory stays bounded; when the API is back everything reaches the ledger exactly once.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 1000000
write_config "$WORK/policy-config.yaml" false  # no enforcement: requests need no API to be served
sed -i 's/^  wallet_enforcement: false$/  wallet_enforcement: false\n  ledger_log:\n    max_unapplied_records: 3000\n    backlog_wait_ms: 300/' \
  "$WORK/policy-config.yaml"
grep -q "max_unapplied_records: 3000" "$WORK/policy-config.yaml" || fail "ledger_log settings not written"
"$KT" policy lint --file "$WORK/policy-config.yaml" >/dev/null || fail "the config does not lint"
start_gateway "$WORK/policy-config.yaml" --threads 2
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
chat kt_cg_engineering_abc123 "$haiku" >/dev/null
hits0=$(mock_hits)
spent0=$(spent_nanos team_engineering)

kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
down_at=$(date +%s)
load "$GW_URL/v1/chat/completions" kt_cg_engineering_abc123 "$haiku" 30 16 >"$WORK/wrk.txt" 2>&1 &
wrk_pid=$!
peak=$(peak_rss_kb "$GW_PID" "$wrk_pid")
wait "$wrk_pid" || true
served=$(( $(mock_hits) - hits0 ))
echo "API down $(( $(date +%s) - down_at )) s; upstream served $served; gateway peak RSS $((peak / 1024)) MB"
grep -E "requests in|Non-2xx" "$WORK/wrk.txt"
[ "$served" -ge 2500 ] && [ "$served" -le 3100 ] &&
  pass "served up to the cap of unrecorded answers, then no more ($served; cap 3000 records)" ||
  fail "served $served with the API down (cap 3000 records)"
resp=$(curl -sS -D - -o "$WORK/refused.json" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
  -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$haiku")
assert_contains "$resp" "HTTP/1.1 503" "past the cap: 503"
assert_contains "$resp" "Retry-After:" "with Retry-After"
assert_eq "ledger_backlog" "$(jq -r .error.code "$WORK/refused.json")" "error code ledger_backlog"
[ "$peak" -le $(($(rss_bound_mb 128) * 1024)) ] && pass "gateway peak RSS $((peak / 1024)) MB <= $(rss_bound_mb 128) MB during the outage" ||
  fail "gateway peak RSS $((peak / 1024)) MB during the outage"

"$KT" api serve --listen "127.0.0.1:$API_PORT" --database "$API_DB" >>"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_http "$KEEPTRUSTS_API_URL/health"
want=$(( spent0 + served * 17100 ))
eventually '[ "$(spent_nanos team_engineering)" = "'"$want"'" ]' 15 ||
  fail "after the outage spent $(spent_nanos team_engineering), expected $want ($served answers x 17,100)"
pass "every answer of the outage is in the ledger, exactly"
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "served again once the ledger caught up"
out=$("$KT" ledger verify --database "$API_DB") || fail "kt ledger verify failed: $out"
finish
