#!/usr/bin/env bash
# mode: shadow: a policy, a group's rate limits and a budget block alert decide as usual, the
# decision event records would_block and the reason, and the request passes. A shadowed budget
# block never makes money appear: every request is reserved and settled, and the wallet's own
# floor still refuses with 402.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 5
allocate team_marketing 0.0001
cat >"$WORK/shadow.yaml" <<YAML
version: '1'
providers: {targets: [{id: openai, provider: openai, secret_key_ref: {env: OPENAI_API_KEY}}]}
consumer_groups:
  - name: engineering
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
    rate_limits: {requests_per_minute: 2, mode: shadow}
  - name: marketing
    api_key: kt_cg_marketing_def456
    wallet_team_id: team_marketing
cost_tracking:
  enabled: true
  wallet_enforcement: true
  budget_alerts:
    - {threshold_percent: 10, action: block, mode: shadow}
api: {url: $KEEPTRUSTS_API_URL, token_env: KEEPTRUSTS_API_TOKEN}
policies:
  - name: watch-hate
    type: content_filter
    action: block
    mode: shadow
    config: {categories: [hate]}
YAML
"$KT" policy lint --file "$WORK/shadow.yaml" >/dev/null || fail "lint refuses mode: shadow"
start_gateway "$WORK/shadow.yaml"
ENG=kt_cg_engineering_abc123
MKT=kt_cg_marketing_def456
ev() { "$KT" events tail --last 1 --format json | jq -c ".[0] | $1"; }
events_count() { "$KT" events tail --last 1000 --format json | jq length; }

# 1. A shadowed block policy: the request is served; the event says it would have been blocked.
hits=$(mock_hits)
out=$(chat $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"They call for ethnic cleansing."}]}')
assert_eq "HTTP 200" "$(tail -n1 <<<"$out")" "shadow policy: served"
assert_eq "$((hits + 1))" "$(mock_hits)" "shadow policy: forwarded"
eventually '[ "$(events_count)" -ge 1 ]' 10 || fail "shadow policy: no event"
assert_eq '{"decision":"allow","would_block":true,"would_block_reason":"policy_violation","shadow_blocks":[{"source":"policy:watch-hate","reason":"policy_violation"}]}' \
  "$(ev '{decision, would_block, would_block_reason, shadow_blocks}')" "shadow policy: would_block recorded"
assert_eq '{"mode":"shadow","triggered":true,"categories":["hate"]}' "$(ev '.policies[0] | {mode, triggered, categories}')" "shadow policy: the verdict"

# 2. Shadowed rate limits (2 a minute): the 3rd and 4th requests pass, recorded as would-be 429s.
for i in 2 3 4; do
  out=$(chat $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello '"$i"'"}]}')
  assert_eq "HTTP 200" "$(tail -n1 <<<"$out")" "shadow rate limit: request $i served"
done
eventually '[ "$(events_count)" -ge 4 ]' 10 || fail "shadow rate limit: events"
"$KT" events tail --last 3 --format json >"$WORK/rl.json"
assert_eq '[false,true,true]' "$(jq -c '[.[] | .would_block]' "$WORK/rl.json")" "shadow rate limit: the 3rd and 4th would have been refused"
assert_eq '"rate_limit:requests_per_minute rate_limit_exceeded"' \
  "$(jq -c '.[2].shadow_blocks[0] | "\(.source) \(.reason)"' "$WORK/rl.json")" "shadow rate limit: which bound"
assert_eq '"ok"' "$(jq -c '.[2].reason' "$WORK/rl.json")" "shadow rate limit: the decision itself is allow/ok"

# 3. A shadowed 10% block alert on a tiny wallet: past 10% requests pass with would_block, every
# one reserved and settled; the wallet's floor still refuses (402) once it is spent.
n=$(events_count)
seen_shadow=false
got_402=false
for i in $(seq 1 60); do
  out=$(chat $MKT '{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":"short answer '"$i"'"}]}')
  code=$(tail -n1 <<<"$out")
  if [ "$code" = "HTTP 402" ]; then got_402=true; break; fi
  assert_eq "HTTP 200" "$code" "shadow budget: request $i"
done
$got_402 || fail "shadow budget: the wallet's floor never refused"
eventually '[ "$(balance team_marketing | jq -r .reserved)" = 0 ]' 10 || fail "shadow budget: reservations still held"
eventually '[ "$(events_count)" -ge '"$((n + i))"' ]' 10 || fail "shadow budget: events"
"$KT" events tail --last "$i" --format json >"$WORK/budget.json"
[ "$(jq '[.[] | select(.would_block and .shadow_blocks[0].source == "budget_alert:10")] | length' "$WORK/budget.json")" -ge 1 ] ||
  fail "shadow budget: no request recorded would_block past 10%"
assert_eq '"budget_exceeded"' "$(jq -c '[.[] | select(.would_block)][0].would_block_reason' "$WORK/budget.json")" "shadow budget: the reason"
spent=$(balance team_marketing | jq '.spent * 1000000000 | round')
costs=$(jq '[.[] | (.cost // 0) * 1000000000 | round] | add' "$WORK/budget.json")
assert_eq "$costs" "$spent" "shadow budget: every served request is in the wallet's spend"
[ "$spent" -le 100000 ] || fail "shadow budget: spent $spent nanos past the \$0.0001 budget"
assert_eq '"budget_exceeded"' "$(jq -c '.[-1].reason' "$WORK/budget.json")" "shadow budget: the floor's refusal is a real block"
finish
