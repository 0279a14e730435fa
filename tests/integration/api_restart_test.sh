#!/usr/bin/env bash
# `kt api serve` (SQLite) killed with SIGKILL under a steady load and started again: a busy team
# on budget leases keeps being served through the gap (its answers wait in the gateway's ledger
# log), a quiet team whose requests need a reservation gets 503 budget_service_unavailable, and once
# the API is back the ledger holds every answer exactly once: spent = 200s x unit cost to the
# nano-dollar, one event per request, nothing left reserved, `kt ledger verify` passes. Then the
# API stalls (SIGSTOP) while a reservation is in flight: the request fails closed after the call's
# timeout, and what the API reserves once it runs again is given back (README "Faults").
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
start_mock
start_api
seed_pricing
for team in team_engineering team_marketing; do
  api POST /v1/wallets/allocate "{\"team_id\":\"$team\",\"amount\":5,\"currency\":\"USD\"}" >/dev/null
done
write_config "$WORK/policy-config.yaml"
start_gateway "$WORK/policy-config.yaml" --threads 2
ENG=kt_cg_engineering_abc123
MKT=kt_cg_marketing_def456
UNIT=17100  # the haiku: 14 prompt + 25 completion tokens of gpt-4o-mini, in nano-dollars
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
spent_of() { balance "$1" | jq .spent | nanos; }
# The load: 8 clients sending the haiku as engineering back to back until $WORK/stop exists; each
# answer's status (and a 503's error code) is one line of $WORK/load.N.
load_client() {
  while [ ! -e "$WORK/stop" ]; do
    curl -s -o "$WORK/load-body.$1" -w "%{http_code}" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
      -H "X-Consumer-Group: $ENG" -d "$haiku" >"$WORK/load-code.$1" || echo "000" >"$WORK/load-code.$1"
    code=$(cat "$WORK/load-code.$1")
    [ "$code" = 200 ] && echo 200 || echo "$code $(jq -r .error.code "$WORK/load-body.$1" 2>/dev/null)"
  done >"$WORK/load.$1"
}
load_count() { cat "$WORK"/load.* | grep -c "${1:-.}" || true; }
LOADERS=()
for i in 1 2 3 4 5 6 7 8; do
  load_client "$i" &
  LOADERS+=($!)
  PIDS+=($!)
done
eventually '[ "$(load_count ^200)" -ge 200 ]' 20 || fail "the load did not start: $(load_count) answers"
eventually '[ "$(balance team_engineering | jq .leased | nanos)" -gt 0 ]' 5 || fail "no budget lease under load: $(balance team_engineering)"
pass "engineering is on budget leases ($(load_count ^200) answers so far)"

# 1. The API goes away (SIGKILL: no goodbye) for 3 seconds.
kill -9 "$API_PID"; wait "$API_PID" 2>/dev/null || true
served_at_kill=$(load_count ^200)
quiet_refused=0
for i in 1 2 3; do
  code=$(req $MKT "$haiku")
  [ "$code" = 503 ] && [ "$(jq -r .error.code "$WORK/body")" = budget_service_unavailable ] && quiet_refused=$((quiet_refused + 1))
  sleep 0.3
done
assert_eq 3 "$quiet_refused" "the quiet team's requests fail closed: 503 budget_service_unavailable"
sleep 1.5
served_in_gap=$(( $(load_count ^200) - served_at_kill ))
[ "$served_in_gap" -ge 20 ] && pass "the busy team was served on its leases while the API was down ($served_in_gap answers)" ||
  fail "the busy team was not served while the API was down ($served_in_gap answers)"
waiting=$(cat "$WORK"/spool/ledger/*/*.log | grep -c '"k":"settle"' || true)
[ "$waiting" -ge "$served_in_gap" ] && pass "their settles wait in the gateway's ledger log ($waiting)" ||
  fail "settles not in the ledger log: $waiting < $served_in_gap"

"$KT" api serve --listen "127.0.0.1:$API_PORT" --database "$API_DB" >>"$WORK/api.log" 2>&1 &
API_PID=$!
PIDS+=($API_PID)
wait_http "$KEEPTRUSTS_API_URL/health"
sleep 2  # the load goes on against the restarted API
touch "$WORK/stop"
for p in "${LOADERS[@]}"; do wait "$p"; done

# 2. Every answer in the ledger exactly once.
eng_ok=$(load_count ^200)
eng_total=$(load_count)
others=$(cat "$WORK"/load.* | grep -v '^200$' | sort | uniq -c | tr '\n' ';' || true)
assert_eq "" "$(cat "$WORK"/load.* | grep -v '^200$' | grep -v '^503 budget_service_unavailable$' || true)" \
  "the busy team got 200s (or 503 budget_service_unavailable) only [$others]"
echo "load: $eng_total requests, $eng_ok answered 200"
total_requests=$((eng_total + 3))
eventually '[ "$("$KT" events tail --last 10000 --format json | jq length)" -ge '"$total_requests"' ]' 30 ||
  fail "events missing: $("$KT" events tail --last 10000 --format json | jq length) of $total_requests"
eventually '[ "$(api GET /v1/gateway/logs | jq "[.logs[] | select(.closed_at == null) | .unapplied_records] | add")" = 0 ]' 10 ||
  fail "the gateway still reports unapplied records: $(api GET /v1/gateway/logs)"
assert_eq "$total_requests" "$("$KT" events tail --last 10000 --format json | jq length)" "one event per request"
assert_eq "$total_requests" "$("$KT" events tail --last 10000 --format json | jq '[.[].request_id] | unique | length')" \
  "no request recorded twice"
assert_eq "$eng_ok" "$(mock_hits)" "the upstream answered exactly the 200s"
assert_eq $((eng_ok * UNIT)) "$(spent_of team_engineering)" "engineering spent = $eng_ok x \$0.0000171, to the nano-dollar"
assert_eq $((eng_ok * UNIT)) "$(events_of engineering | jq '[.[] | (.cost // 0) * 1000000000 | round] | add // 0')" \
  "engineering's event costs add up to its spend"
assert_eq 0 "$(spent_of team_marketing)" "nothing billed for the refused requests"
assert_eq "3 budget_unavailable" "$(events_of marketing | jq -r '"\(length) \([.[].reason] | unique | join(","))"')" \
  "the refused requests' events say budget_unavailable"
for team in team_engineering team_marketing; do
  assert_eq 0 "$(balance $team | jq .reserved | nanos)" "$team: nothing reserved"
done
out=$("$KT" ledger verify --database "$API_DB" 2>&1) || fail "kt ledger verify: $out"
assert_contains "$out" "OK" "kt ledger verify passes after the restart"

# 3. The API stalls while a reservation is in flight: the gateway gives up after its 5 s call
# timeout (503), the API makes the reservation when it runs again — and gives it back, as the
# release the gateway logged says. Without it the hold would stay until --reservation-ttl.
sleep 1.2  # marketing's rate falls below the leasing threshold: it reserves per request
kill -STOP "$API_PID"
assert_eq 503 "$(req $MKT "$haiku")" "stalled API: the quiet team's request fails closed"
assert_eq budget_service_unavailable "$(jq -r .error.code "$WORK/body")" "stalled API: error code"
kill -CONT "$API_PID"
eventually '[ "$(balance team_marketing | jq .reserved | nanos)" = 0 ]' 10 ||
  fail "the stalled reservation is still held: $(balance team_marketing)"
assert_eq 0 "$(balance team_marketing | jq .reserved | nanos)" "stalled API: nothing left reserved"
assert_eq 200 "$(req $MKT "$haiku")" "stalled API: the next request is served"
ledger_exact team_marketing marketing 5 "$UNIT" "stalled API"
out=$("$KT" ledger verify --database "$API_DB" 2>&1) || fail "kt ledger verify after the stall: $out"
assert_contains "$out" "OK" "kt ledger verify passes after the stall"
finish
