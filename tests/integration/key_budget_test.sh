#!/usr/bin/env bash
# A consumer key's own budget inside its team's wallet (kt keys create --budget), at two gateways:
# 60 requests in parallel and then one by one against a $0.01 key budget: the key spends at most
# its budget, to the nano-dollar (each request holds 601,350 nano-dollars and costs 541,350: 18
# fit), refusals are 402 key_budget_exceeded naming the key, the wallet and the key's spend agree
# exactly, and `kt keys list` shows budget, spent and remaining. A team whose wallet is short still
# gets the tutorial's 402 (insufficient_balance, the team named) whatever its key's budget.
source "$(dirname "$0")/lib.sh"
command -v xargs >/dev/null || { echo "xargs is required (Debian: findutils)" >&2; exit 1; }
start_mock_and_api
allocate team_engineering 10
allocate team_marketing 0.0001
start_example_gateway --threads 2
GW_A=$GW_URL
launch_gateway "$WORK/policy-config.yaml" -b --threads 2
GW_B=$LAUNCHED_URL
BODY='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
COST=541350
send() {  # GATEWAY KEY -> the HTTP status; the answer in last.json
  curl -sS -o "$WORK/last.json" -w '%{http_code}' "$1/v1/chat/completions" -H "Content-Type: application/json" \
    -H "Authorization: Bearer $2" -d "$BODY"
}
export BODY WORK

# Bad budgets: 400, nothing made.
before=$("$KT" keys list --format json | jq '.keys | length')
assert_eq invalid_field "$(api POST /v1/keys '{"group":"engineering","budget":-1}' | jq -r .error.code)" "a negative budget"
assert_eq invalid_field "$(api POST /v1/keys '{"group":"engineering","budget":1,"budget_period":"weekly"}' | jq -r .error.code)" "an unknown period"
assert_eq invalid_field "$(api POST /v1/keys '{"group":"engineering","budget_period":"monthly"}' | jq -r .error.code)" "a period without a budget"
"$KT" keys create --group engineering --budget lots 2>/dev/null && fail "--budget lots was accepted" || pass "--budget must be an amount"
assert_eq "$before" "$("$KT" keys list --format json | jq '.keys | length')" "no key made by a refusal"

KEY=$("$KT" keys create --group engineering --budget 0.01 2>/dev/null) || fail "kt keys create --budget failed"
ID=$("$KT" keys list --format json | jq -r --arg p "${KEY:0:14}" '.keys[] | select(.prefix == $p) | .id')
assert_eq "0.01 monthly 0 0.01" \
  "$("$KT" keys list --format json | jq -r --arg id "$ID" '.keys[] | select(.id == $id) | "\(.budget) \(.budget_period) \(.spent) \(.remaining)"')" \
  "a new key's budget is all left"
served=0
eventually '[ "$(send "$GW_A" "$KEY")" = 200 ]' 10 && served=1 || fail "gateway A does not serve the key within 10 s"
eventually '[ "$(send "$GW_B" "$KEY")" = 200 ]' 10 && served=$((served + 1)) || fail "gateway B does not serve the key within 10 s"

# 60 at once, half at each gateway.
for i in $(seq 1 60); do if [ $((i % 2)) = 0 ]; then echo "$GW_A"; else echo "$GW_B"; fi; done |
  xargs -P 24 -I{} sh -c 'curl -sS -o /dev/null -w "%{http_code}\n" "{}/v1/chat/completions" -H "Content-Type: application/json" \
    -H "Authorization: Bearer '"$KEY"'" -d "$BODY"' >"$WORK/burst.txt"
burst_ok=$(grep -c '^200$' "$WORK/burst.txt" || true)
burst_402=$(grep -c '^402$' "$WORK/burst.txt" || true)
assert_eq 60 "$((burst_ok + burst_402))" "every request of the burst is served or refused with 402"
served=$((served + burst_ok))
# Then one by one until the key's budget refuses: what holds at the estimate blocked during the
# burst is usable once settled, and not one request more.
for i in $(seq 1 30); do
  status=$(send "$([ $((i % 2)) = 0 ] && echo "$GW_A" || echo "$GW_B")" "$KEY")
  [ "$status" = 200 ] || break
  served=$((served + 1))
done
assert_eq 402 "$status" "the key is refused once its budget cannot hold another request"
assert_eq "key_budget_exceeded key" "$(jq -r '"\(.error.code) \(.error.bound)"' "$WORK/last.json")" "the 402 names the key's budget"
assert_contains "$(jq -r .error.message "$WORK/last.json")" "consumer key $ID" "the message names the key by id"
eventually '"$KT" events tail --last 100 --format json | jq -e "any(.[]; .reason == \"key_budget_exceeded\")"' 10 ||
  fail "no decision event for the key's refusal"
evt=$("$KT" events tail --last 100 --format json | jq -r --arg id "$ID" '[.[] | select(.reason == "key_budget_exceeded" and .key_id == $id)][0].id')
assert_eq "key_budget use_another_key" "$(api GET "/v1/events/$evt/explain" | jq -r '"\(.refusal.limit) \(.refusal.would_pass[0].action)"')" \
  "explain-why names the key's budget, not the wallet's"
assert_eq 18 "$served" "exactly 18 requests fit the key's \$0.01 (holding \$0.00060135 each, costing \$0.00054135)"
eventually "[ \"\$(spent_nanos team_engineering)\" = $((served * COST)) ]" 10 || fail "the wallet's spent is not $served requests"
assert_eq "$((served * COST))" "$(spent_nanos team_engineering)" "the wallet is billed for exactly what was served"
assert_eq "0.01 0.0097443 0 0.0002557" \
  "$("$KT" keys list --format json | jq -r --arg id "$ID" '.keys[] | select(.id == $id) | "\(.budget) \(.spent) \(.reserved) \(.remaining)"')" \
  "the key spent exactly what was served, within its budget"
assert_contains "$("$KT" keys list)" "0.0097443" "kt keys list shows what the key spent"
assert_eq 0 "$(balance team_engineering | jq -r .leased)" "the key's requests never held on a budget lease"

# The team's wallet short: the tutorial's 402, whatever the key's own budget.
MKEY=$("$KT" keys create --group marketing --budget 5 2>/dev/null) || fail "kt keys create for marketing failed"
eventually '[ "$(send "$GW_A" "$MKEY")" = 402 ]' 10 || fail "the marketing key is not refused within 10 s"
assert_eq "insufficient_balance marketing" "$(jq -r '"\(.error.code) \(.error.details.team)"' "$WORK/last.json")" \
  "a short wallet gets the tutorial's 402"
if grep -qF -e "$KEY" -e "$MKEY" "$WORK/gateway.log" "$WORK/gateway-b.log" "$WORK/api.log"; then fail "a key leaked into a log"; else pass "no key in any log"; fi
finish
