#!/usr/bin/env bash
# 50 concurrent requests on a wallet with room for 10 worst cases: never overspent, nothing left
# reserved, every 200 reached the upstream once, and the events' costs add up to the spend.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
# Worst case of one request: 8 prompt tokens x 150 + 100 output tokens x 600 = 61,200 nano-dollars.
allocate team_engineering 0.000612
start_example_gateway
hits=$(mock_hits)
body='{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}'
seq 1 50 | xargs -P 50 -I{} curl -s -o /dev/null -w "%{http_code}\n" "$GW_URL/v1/chat/completions" \
  -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$body" >"$WORK/codes.txt"
ok=$(grep -c '^200$' "$WORK/codes.txt" || true)
refused=$(grep -c '^402$' "$WORK/codes.txt" || true)
assert_eq 50 "$((ok + refused))" "every request got 200 or 402 ($ok / $refused)"
[ "$ok" -ge 10 ] || fail "at least 10 requests fit (got $ok)"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 10 || fail "reservations left after the drain"
bal=$(balance team_engineering)
assert_eq 0 "$(jq -r .reserved <<<"$bal")" "reserved = 0"
jq -e '.spent <= .budget' <<<"$bal" >/dev/null && pass "spent <= budget ($(jq -r .spent <<<"$bal"))" || fail "overspent: $bal"
assert_eq "$((hits + ok))" "$(mock_hits)" "upstream hits = number of 200s"
# Each served request costs 8 x 150 + 20 x 600 = 13,200 nano-dollars.
assert_eq "$(awk -v n="$ok" 'BEGIN{printf "%.7f", n*0.0000132}')" "$(jq -r '.spent' <<<"$bal" | awk '{printf "%.7f", $1}')" "spent = 200s x 0.0000132"
eventually '[ "$("$KT" events tail --last 50 --format json | jq length)" = 50 ]' || fail "50 events expected"
sum=$("$KT" events tail --last 50 --format json | jq '[.[] | .usage.completion_tokens] | add')
assert_eq "$((ok * 20))" "$sum" "events' completion tokens add up"
costs=$("$KT" events tail --last 50 --format json | jq -r '[.[] | select(.cost != null)] | length')
assert_eq "$ok" "$costs" "one costed event per 200"
finish
