#!/usr/bin/env bash
# Two API replicas on one PostgreSQL, one gateway on each, 200 concurrent requests against a
# wallet with room for 20 worst cases: never overspent, nothing left reserved, the events'
# costs add up to the spend to the nano-dollar, every 200 reached the upstream once, and
# `kt ledger verify` finds nothing wrong.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"
use_test_database kt_it_multi

start_mock

# `kt api migrate` first, as a deployment would; the replicas then find the schema current.
out=$("$KT" api migrate --database "$PG_URL") || fail "kt api migrate failed: $out"
assert_contains "$out" "OK: ledger schema is up to date" "kt api migrate"

API_URLS=()
for i in 1 2; do
  port=$(free_port)
  "$KT" api serve --listen "127.0.0.1:$port" --database "$PG_URL" >"$WORK/api$i.log" 2>&1 &
  PIDS+=($!)
  API_URLS+=("http://127.0.0.1:$port")
done
for u in "${API_URLS[@]}"; do wait_http "$u/health"; done
assert_contains "$(cat "$WORK/api1.log")" "database postgresql" "API 1 runs on PostgreSQL"

export KEEPTRUSTS_API_URL=${API_URLS[0]}
seed_pricing
# Worst case of one request: 8 prompt tokens x 150 + 100 output tokens x 600 = 61,200 nano-dollars;
# room for 20 of them.
allocate team_engineering 0.001224
# The second replica sees the allocation made through the first.
assert_eq "0.001224" "$(curl -sS "${API_URLS[1]}/v1/wallets/balance?team_id=team_engineering" \
  -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" | jq -r .budget)" "replica 2 sees the budget"

GW_URLS=()
for i in 1 2; do
  KEEPTRUSTS_API_URL=${API_URLS[$((i - 1))]} write_config "$WORK/policy-config-$i.yaml"
  launch_gateway "$WORK/policy-config-$i.yaml" "$i"
  GW_URLS+=("$LAUNCHED_URL")
done

hits=$(mock_hits)
body='{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}'
burst 200 100 "$body"
[ "$ok" -ge 20 ] || fail "at least 20 requests fit (got $ok)"
[ "$refused" -ge 1 ] || fail "the wallet ran out (got no 402)"

eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 15 || fail "reservations left after the drain"
bal=$(balance team_engineering)
assert_eq 0 "$(jq -r .reserved <<<"$bal")" "reserved = 0"
jq -e '.spent <= .budget' <<<"$bal" >/dev/null && pass "spent <= budget ($(jq -r .spent <<<"$bal"))" || fail "overspent: $bal"
assert_eq "$((hits + ok))" "$(mock_hits)" "upstream hits = number of 200s"

spent_nanos=$(spent_nanos_of team_engineering)
assert_eq "$((ok * 13200))" "$spent_nanos" "spent = 200s x 13,200 nano-dollars"

eventually '[ "$("$KT" events tail --last 1000 --format json | jq length)" = 200 ]' 15 || fail "200 events expected"
events=$("$KT" events tail --last 1000 --format json)
assert_eq "$spent_nanos" "$(event_cost_nanos "$events")" "sum of event costs = spent, exactly"
assert_eq "$ok" "$(jq '[.[] | select(.cost != null)] | length' <<<"$events")" "one costed event per 200"

out=$("$KT" ledger verify --database "$PG_URL") || fail "kt ledger verify failed: $out"
assert_contains "$out" "OK: 1 wallets" "kt ledger verify passes"
assert_contains "$out" "0 held reservations" "kt ledger verify: nothing held"

# verify reads the same database through either replica's view: corrupt it and it must fail.
psql -q "$PG_URL" -c "UPDATE wallets SET spent = spent + 1" >/dev/null
if out=$("$KT" ledger verify --database "$PG_URL"); then fail "verify missed a corrupted wallet: $out"; else
  assert_contains "$out" "violation: team_engineering" "kt ledger verify exits non-zero on a violation"
fi
finish
