#!/usr/bin/env bash
# The API down for a while: answered requests wait in the gateway's ledger log (settle + event, in
# the spool on disk) and reach the ledger once it is back — each exactly once.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 5
write_config "$WORK/policy-config.yaml" false   # no enforcement: requests flow while the API is down
start_gateway "$WORK/policy-config.yaml" --threads 1
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "request with the API up"
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 1 ]' || fail "first event not shipped"

kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
for i in 1 2 3; do
  assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "request $i with the API down"
done
# Each answer's settle and event are on disk, in the worker's log (mode 0600), before the API is back
# (written just after the answer by the log's group flush: a moment later under the sanitizers).
settles_on_disk() { cat "$WORK"/spool/ledger/*/*.log | grep -c '"k":"settle"'; }
eventually '[ "$(settles_on_disk)" -ge 4 ]' 5 || true
settles=$(settles_on_disk)
[ "$settles" -ge 4 ] && pass "answers in the ledger log on disk ($settles settles)" || fail "settles not in the spool: $settles"
assert_eq "600" "$(stat -c %a "$(ls "$WORK"/spool/ledger/*/*.log | head -1)")" "spool segments are mode 0600"

"$KT" api serve --listen "127.0.0.1:$API_PORT" --database "$API_DB" >>"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_http "$KEEPTRUSTS_API_URL/health"
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 4 ]' 10 || fail "logged events not shipped"
assert_eq 4 "$("$KT" events tail --last 10 --format json | jq '[.[].id] | unique | length')" "4 distinct events, none twice"
eventually '[ "$(balance team_engineering | jq -r .spent | awk "{printf \"%.7f\", \$1}")" = 0.0000684 ]' 10 ||
  fail "settles not applied: $(balance team_engineering)"
eventually '[ "$(api GET /v1/gateway/logs | jq "[.logs[] | select(.closed_at == null) | .unapplied_records] | add")" = 0 ]' 5 ||
  fail "the gateway still reports unapplied records: $(api GET /v1/gateway/logs)"
assert_eq "0" "$(balance team_engineering | jq -r .unapplied.records)" "the balance says nothing is waiting"
finish
