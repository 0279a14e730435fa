#!/usr/bin/env bash
# Budget leases across replicas (issue 4): 3 gateways and 2 API replicas on one PostgreSQL,
# 1,000 concurrent requests against a wallet with room for about 100 worst cases. Then kill -9
# a gateway mid-traffic: its lease stays held (its ledger log may still hold settles) until
# `kt gateway drain` ships that log — every answer at its cost, the requests in flight at their
# reservation, the rest of the lease back — and `kt ledger verify` passes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"
use_test_database kt_it_leases

start_mock
"$KT" api migrate --database "$PG_URL" >/dev/null || fail "kt api migrate failed"

API_URLS=()
for i in 1 2; do
  port=$(free_port)
  # A short reservation TTL: the killed gateway's per-request reservations must come back too.
  "$KT" api serve --listen "127.0.0.1:$port" --database "$PG_URL" --reservation-ttl 8 >"$WORK/api$i.log" 2>&1 &
  PIDS+=($!)
  API_URLS+=("http://127.0.0.1:$port")
done
for u in "${API_URLS[@]}"; do wait_http "$u/health"; done
export KEEPTRUSTS_API_URL=${API_URLS[0]}
seed_pricing
# Worst case of one request: 8 prompt tokens x 150 + 100 output tokens x 600 = 61,200 nano-dollars;
# a served one costs 13,200. Room for 100 worst cases.
BUDGET_NANOS=6120000
allocate team_engineering 0.00612

# Short lease TTL and idle return so the test sees them come back.
lease_config() {  # FILE API_URL
  KEEPTRUSTS_API_URL=$2 write_config "$1"
  sed -i 's/^  wallet_enforcement: true$/  wallet_enforcement: true\n  leases:\n    ttl_seconds: 6\n    idle_return_seconds: 2/' "$1"
  grep -q "ttl_seconds: 6" "$1" || fail "lease settings not written to $1"
}
GW_URLS=()
GW_PIDS=()
for i in 1 2 3; do
  lease_config "$WORK/policy-config-$i.yaml" "${API_URLS[$((i % 2))]}"
  launch_gateway "$WORK/policy-config-$i.yaml" "$i"
  GW_PIDS+=($LAUNCHED_PID)
  GW_URLS+=("$LAUNCHED_URL")
done

hits=$(mock_hits)
body='{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}'
burst 1000 150 "$body"
[ "$ok" -ge 100 ] || fail "at least the 100 worst cases fit (got $ok)"
[ "$refused" -ge 1 ] || fail "the wallet ran out (got no 402)"
leases=$(psql -At "$PG_URL" -c "SELECT COUNT(*) FROM leases")
[ "$leases" -ge 3 ] && pass "the gateways leased ($leases leases)" || fail "no budget leases were taken ($leases)"
# Leases carry part of this load: a worker reserves per request only until its team's rate reaches
# 8/s, and while a lease grant is on its way. The share depends on how soon the grants arrive:
# most of the load on a quiet machine, under a third in the sanitizer build beside another test
# (132 lease settles vs 328 reservations, measured), so the share is printed, not asserted.
served_at_api=$(psql -At "$PG_URL" -c "SELECT COUNT(*) FROM reservations WHERE state <> 'refused'")
refused_at_api=$(psql -At "$PG_URL" -c "SELECT COUNT(*) FROM reservations WHERE state = 'refused'")
lease_settles=$(psql -At "$PG_URL" -c "SELECT COUNT(*) FROM journal WHERE kind = 'settle' AND lease_id IS NOT NULL")
[ "$lease_settles" -gt 0 ] &&
  pass "requests served on leases ($lease_settles, vs $served_at_api reserved at the API; $refused_at_api refused there)" ||
  fail "leases not used ($lease_settles lease settles, $served_at_api API reservations, $refused_at_api refused)"

eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 15 || fail "reservations left after the drain"
eventually '[ "$(balance team_engineering | jq -r .leased)" = 0 ]' 20 || fail "leases not returned when idle: $(balance team_engineering)"
bal=$(balance team_engineering)
assert_eq 0 "$(jq -r .reserved <<<"$bal")" "reserved = 0"
assert_eq 0 "$(jq -r .leased <<<"$bal")" "leased = 0 once the gateways are idle"
assert_eq "$((hits + ok))" "$(mock_hits)" "upstream hits = number of 200s"

spent_nanos=$(spent_nanos_of team_engineering)
[ "$spent_nanos" -le "$BUDGET_NANOS" ] && pass "spent <= budget ($spent_nanos <= $BUDGET_NANOS nano-dollars)" ||
  fail "overspent: $spent_nanos > $BUDGET_NANOS"
assert_eq "$((ok * 13200))" "$spent_nanos" "spent = 200s x 13,200 nano-dollars"
eventually '[ "$("$KT" events tail --last 2000 --format json | jq length)" = 1000 ]' 20 || fail "1000 events expected"
events=$("$KT" events tail --last 2000 --format json)
assert_eq "$spent_nanos" "$(event_cost_nanos "$events")" "sum of event costs = spent, exactly"
out=$("$KT" ledger verify --database "$PG_URL") || fail "kt ledger verify failed: $out"
assert_contains "$out" "OK: 1 wallets" "kt ledger verify passes after the drain"

# --- kill -9 a gateway mid-traffic -------------------------------------------------------
allocate team_engineering 1
spent_before=$(spent_nanos_of team_engineering)
hits_before=$(mock_hits)
events_before=$("$KT" events tail --last 5000 --format json | jq -r '.[].id' | sort)
slow='{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi [mock:delay_ms=200]"}]}'
(for n in $(seq 1 400); do echo "${GW_URLS[0]}"; done |
  xargs -P 40 -I{} curl -s -o /dev/null -w "%{http_code}\n" --max-time 10 "{}/v1/chat/completions" \
    -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$slow" \
    >"$WORK/codes2.txt") &
traffic=$!
eventually '[ "$(psql -At "$PG_URL" -c "SELECT COUNT(*) FROM leases WHERE state = '"'active'"'")" -ge 1 ]' 10 ||
  fail "gateway 1 took no lease under load"
sleep 1
kill -9 "${GW_PIDS[0]}"
wait "$traffic" 2>/dev/null || true
served_by_killed=$(( $(mock_hits) - hits_before ))
# Past the lease TTL (6 s) the killed gateway's lease is still held: its log may hold settles.
sleep 8
[ "$(psql -At "$PG_URL" -c "SELECT COUNT(*) FROM leases WHERE state = 'active' AND log_id LIKE 'gw_%'")" -ge 1 ] &&
  pass "the killed gateway's lease is kept past its TTL while its log is unshipped" ||
  fail "the killed gateway's lease went back before its log was shipped"
assert_contains "$("$KT" spend --team engineering)" "Leased: \$" "kt spend shows what is leased"

out=$("$KT" gateway drain --spool-dir "$WORK/spool1" --policy-config "$WORK/policy-config-1.yaml" 2>&1) ||
  fail "kt gateway drain failed: $out"
grep -Eq "drained ([0-9]+) of \1 ledger log" <<<"$out" && pass "kt gateway drain ships the killed gateway's logs" ||
  fail "kt gateway drain: $out"
[ -z "$(ls "$WORK/spool1/ledger" 2>/dev/null)" ] && pass "the drained log is gone from the spool" ||
  fail "the spool still holds: $(ls "$WORK/spool1/ledger")"
eventually '[ "$(balance team_engineering | jq -r .leased)" = 0 ]' 5 || fail "the drained log's lease did not come back: $(balance team_engineering)"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 12 || fail "reservations left after the drain: $(balance team_engineering)"
# The kill's requests, from their events: answered ones at their cost, the ones in flight at the
# kill at their reservation (usage_source "reservation"), and the two add up to what was spent.
eventually '[ "$(event_cost_nanos "$("$KT" events tail --last 5000 --format json)")" = "$(spent_nanos_of team_engineering)" ]' 10 ||
  fail "sum of event costs != spent after the drain"
"$KT" events tail --last 5000 --format json >"$WORK/all_events.json"
# Exact decimals (jq would print 1.32e-05): the kill's events are those not seen before it.
echo "$events_before" >"$WORK/events_before.txt"
read -r exact recovered kill_cost < <(python3 - "$WORK/all_events.json" "$WORK/events_before.txt" <<'PY'
import decimal, json, sys
before = set(open(sys.argv[2]).read().split())
events = [e for e in json.load(open(sys.argv[1]), parse_float=decimal.Decimal) if e["id"] not in before]
exact = sum(1 for e in events if e.get("status") == 200 and e.get("usage_source") != "reservation")
recovered = sum(1 for e in events if e.get("usage_source") == "reservation")
cost = sum((e["cost"] for e in events if e.get("cost") is not None), decimal.Decimal(0))
print(exact, recovered, int(cost * 1000000000))
PY
)
assert_eq "$(( $(spent_nanos_of team_engineering) - spent_before ))" "$kill_cost" \
  "the kill's spend = its answers at their cost + its requests in flight at their reservation, to the nano-dollar"
[ "$recovered" -ge 1 ] && pass "$recovered request(s) in flight at the kill billed at their reservation" ||
  echo "note: no request was in flight at the kill"
[ "$exact" -le "$served_by_killed" ] && [ "$((exact + recovered))" -ge "$served_by_killed" ] &&
  pass "every upstream answer is in the ledger: $served_by_killed served, $exact at cost + $recovered at reservation" ||
  fail "upstream served $served_by_killed, ledger has $exact at cost + $recovered at reservation"
bal=$(balance team_engineering)
jq -e '.spent <= .budget' <<<"$bal" >/dev/null && pass "spent <= budget after the kill" || fail "overspent: $bal"
out=$("$KT" ledger verify --database "$PG_URL") || fail "kt ledger verify failed after kill -9: $out"
assert_contains "$out" "0 active leases" "verify: no lease left active"
finish
