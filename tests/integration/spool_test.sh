#!/usr/bin/env bash
# Events and settles survive an API outage: events go to the spool file and are replayed, settles
# are retried, and nothing is lost or counted twice.
source "$(dirname "$0")/lib.sh"
start_mock
start_api
seed_pricing
api POST /v1/wallets/allocate '{"team_id":"team_engineering","amount":5,"currency":"USD"}' >/dev/null
write_config "$WORK/policy-config.yaml" false   # no enforcement: requests flow while the API is down
start_gateway "$WORK/policy-config.yaml" --threads 1
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "request with the API up"
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 1 ]' || fail "first event not shipped"

kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
for i in 1 2 3; do
  assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "request $i with the API down"
done
eventually '[ "$(cat "$WORK"/spool/*.ndjson 2>/dev/null | wc -l)" = 3 ]' 5 || fail "3 events expected in the spool"

"$KT" api serve --listen "127.0.0.1:$API_PORT" --database "$API_DB" >>"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_http "$KEEPTRUSTS_API_URL/health"
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 4 ]' 10 || fail "spooled events not replayed"
assert_eq 4 "$("$KT" events tail --last 10 --format json | jq '[.[].id] | unique | length')" "4 distinct events, none twice"
eventually '[ "$(balance team_engineering | jq -r .spent | awk "{printf \"%.7f\", \$1}")" = 0.0000684 ]' 10 ||
  fail "settles not retried: $(balance team_engineering)"
assert_eq 0 "$(cat "$WORK"/spool/*.ndjson 2>/dev/null | wc -l)" "spool emptied"
finish
