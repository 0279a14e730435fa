#!/usr/bin/env bash
# kill -9 at full load (issue 10): the gateway is killed while wrk drives it, then started again
# with the same spool. Every answer the upstream gave is in the ledger — at its exact cost, or at
# its reservation for the requests in flight at the kill — nothing twice, and verify passes.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 1000000
start_example_gateway --threads 2
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
chat kt_cg_engineering_abc123 "$haiku" >/dev/null
hits0=$(mock_hits)
spent0=$(spent_nanos team_engineering)
events0=$("$KT" events tail --last 10 --format json | jq length)

load "$GW_URL/v1/chat/completions" kt_cg_engineering_abc123 "$haiku" 6 32 >"$WORK/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 3
kill -9 "$GW_PID"
wait "$wrk_pid" 2>/dev/null || true
served=$(( $(mock_hits) - hits0 ))
logs=$(ls "$WORK/spool/ledger" | wc -l)
[ "$logs" -ge 1 ] && pass "the killed gateway left its ledger logs ($logs)" || fail "no ledger log in the spool"

# The same gateway again: it adopts the dead logs and ships them.
start_gateway "$WORK/policy-config.yaml" --threads 2
eventually '[ "$(ls "$WORK/spool/ledger" | wc -l)" = 2 ]' 20 || fail "the dead logs were not shipped: $(ls "$WORK/spool/ledger")"
grep -h "adopted ledger log" "$WORK/gateway.log" | head -3

# Counted in the database itself (tens of thousands of events): each request's event says how it
# was billed; the journal's settles and charges are integers.
q() { sqlite3 "${API_DB#sqlite:}" "$1"; }
exact=$(q "SELECT COUNT(*) FROM events WHERE json_extract(json,'$.status') = 200 AND json_extract(json,'$.usage_source') <> 'reservation'")
recovered=$(q "SELECT COUNT(*) FROM events WHERE json_extract(json,'$.usage_source') = 'reservation'")
journal=$(q "SELECT SUM(amount) FROM journal WHERE kind IN ('settle', 'charge')")
exact=$((exact - events0))
echo "upstream served $served; ledger: $exact at cost, $recovered at their reservation"
spent=$(spent_nanos team_engineering)
assert_eq "$spent" "$journal" "spent = the journal's settles, to the nano-dollar"
assert_eq "$(q "SELECT COUNT(*) FROM journal WHERE kind IN ('settle', 'charge')")" "$((exact + recovered + events0))" \
  "one settle per billed request, nothing twice"
[ "$exact" -le "$served" ] && pass "no answer counted twice ($exact <= $served served)" || fail "$exact answers billed, $served served"
[ "$((exact + recovered))" -ge "$served" ] && pass "every served answer is in the ledger ($exact + $recovered >= $served)" ||
  fail "lost: $served served, $exact at cost + $recovered at reservation"
[ "$(( (spent - spent0 - exact * 17100) % recovered ))" = 0 ] 2>/dev/null || [ "$recovered" = 0 ] &&
  pass "the requests in flight are billed at their reservation" || fail "in-flight billing does not add up"
assert_eq "0" "$(balance team_engineering | jq -r .reserved)" "nothing left reserved"
eventually '[ "$(balance team_engineering | jq -r .leased)" = 0 ] || [ "$(api GET /v1/gateway/logs | jq "[.logs[] | select(.closed_at != null)] | length")" -ge 2 ]' 10 ||
  fail "the dead logs were not closed"
out=$("$KT" ledger verify --database "$API_DB") || fail "kt ledger verify failed: $out"
finish
