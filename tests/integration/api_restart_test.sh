#!/usr/bin/env bash
# `kt api serve` (SQLite) killed with SIGKILL under a steady load and started again: a busy team
# on budget leases keeps being served through the gap (its answers wait in the gateway's ledger
# log), a quiet team whose requests need a reservation gets 503 budget_service_unavailable, and once
# the API is back the ledger holds every answer exactly once: spent = 200s x unit cost to the
# nano-dollar, one event per request, nothing left reserved, `kt ledger verify` passes. Then the
# API stalls (SIGSTOP) while a reservation is in flight: the request fails closed after the call's
# timeout, and what the API reserves once it runs again is given back (docs/operations.md "Faults").
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
source "$(dirname "$0")/load_lib.sh"
start_mock_and_api
for team in team_engineering team_marketing; do
  allocate "$team" 5
done
start_example_gateway --threads 2
start_load 8

# 1. The API goes away (SIGKILL: no goodbye) for about three seconds.
kill -9 "$API_PID"; wait "$API_PID" 2>/dev/null || true
served_at_kill=$(load_count ^200)
quiet_requests_refused 3
served_during 1.5
served_in_gap=$(( $(load_count ^200) - served_at_kill ))
waiting=$(cat "$WORK"/spool/ledger/*/*.log | grep -c '"k":"settle"' || true)
[ "$waiting" -ge "$served_in_gap" ] && pass "their settles wait in the gateway's ledger log ($waiting)" ||
  fail "settles not in the ledger log: $waiting < $served_in_gap"
"$KT" api serve --listen "127.0.0.1:$API_PORT" --database "$API_DB" >>"$WORK/api.log" 2>&1 &
API_PID=$!
PIDS+=($API_PID)
wait_http "$KEEPTRUSTS_API_URL/health"
sleep 2  # the load goes on against the restarted API
stop_load
ledger_holds_every_answer 3 "$API_DB"

# 2. The API stalls while a reservation is in flight: the gateway gives up after its 5 s call
# timeout (503), the API makes the reservation when it runs again — and gives it back, as the
# release the gateway logged says. Without it the hold would stay until --reservation-ttl.
sleep 1.2  # marketing's rate stays below the leasing threshold: it reserves per request
kill -STOP "$API_PID"
assert_eq 503 "$(req $MKT "$HAIKU")" "stalled API: the quiet team's request fails closed"
assert_eq budget_service_unavailable "$(jq -r .error.code "$WORK/body")" "stalled API: error code"
kill -CONT "$API_PID"
eventually '[ "$(balance team_marketing | jq .reserved | nanos)" = 0 ]' 10 ||
  fail "the stalled reservation is still held: $(balance team_marketing)"
assert_eq 0 "$(balance team_marketing | jq .reserved | nanos)" "stalled API: nothing left reserved"
assert_eq 200 "$(req $MKT "$HAIKU")" "stalled API: the next request is served"
ledger_exact team_marketing marketing 5 "$UNIT" "stalled API"
out=$("$KT" ledger verify --database "$API_DB" 2>&1) || fail "kt ledger verify after the stall: $out"
assert_contains "$out" "OK" "kt ledger verify passes after the stall"
finish
