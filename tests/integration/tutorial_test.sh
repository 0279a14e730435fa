#!/usr/bin/env bash
# The cost-tracking tutorial's 8 steps, over HTTP against real kt processes, with exact figures.
source "$(dirname "$0")/lib.sh"
start_mock
start_api

# Step 1: pricing
out=$(api POST /v1/model-pricing '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006}')
assert_eq 'gpt-4o-mini 0.00015 0.0006' "$(jq -r '"\(.model) \(.input_cost_per_1k_tokens) \(.output_cost_per_1k_tokens)"' <<<"$out")" "step 1: pricing stored"
out=$(api GET /v1/model-pricing | jq -c '.[] | {model, input_cost_per_1k_tokens, output_cost_per_1k_tokens}')
assert_eq '{"model":"gpt-4o-mini","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006}' "$out" "step 1: pricing listed"

# Step 2: wallets
out=$(api POST /v1/wallets/allocate '{"team_id":"team_engineering","amount":500.00,"currency":"USD","description":"Monthly LLM budget - April 2026"}')
assert_eq "500 USD Monthly LLM budget - April 2026" "$(jq -r '"\(.balance.budget) \(.currency) \(.description)"' <<<"$out")" "step 2: engineering allocated"
api POST /v1/wallets/allocate '{"team_id":"team_marketing","amount":100.00,"currency":"USD","description":"Monthly LLM budget - April 2026"}' >/dev/null
assert_eq "100 0 100" "$(balance team_marketing | jq -r '"\(.budget) \(.spent) \(.remaining)"')" "step 2: marketing balance"

# Step 3 + 4: config, lint, start
write_config "$WORK/policy-config.yaml"
lint=$("$KT" policy lint --file "$WORK/policy-config.yaml") || fail "step 4: lint failed: $lint"
assert_contains "$lint" "OK" "step 4: lint OK"
start_gateway "$WORK/policy-config.yaml"
log=$(cat "$WORK/gateway.log")
assert_contains "$log" "INFO keeptrusts::gateway Cost tracking: enabled, wallet_enforcement=true" "step 4: startup line 1"
assert_contains "$log" "INFO keeptrusts::gateway Budget alerts: 50%→notify, 80%→notify, 95%→notify, 100%→block" "step 4: startup line 2"
assert_contains "$log" "INFO keeptrusts::gateway Gateway ready" "step 4: startup line 3"

# Step 5: a request as engineering
out=$(curl -s "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_engineering_abc123" \
  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Write a short haiku about cloud computing."}]}' |
  jq -c '{model: .model, usage: .usage}')
assert_eq '{"model":"gpt-4o-mini","usage":{"prompt_tokens":14,"completion_tokens":25,"total_tokens":39}}' "$out" "step 5: usage"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "step 5: reservation not settled"
assert_eq "0.0000171" "$(balance team_engineering | jq -r '.spent|tostring' | sed 's/1.71e-05/0.0000171/')" "step 5: spent exactly 14x0.00015/1k + 25x0.0006/1k"

# Step 6: kt spend
out=$("$KT" spend --team engineering)
for line in "Team: engineering" "Budget: \$500.00" "Spent: \$0.0000171" "Remaining: \$499.9999829" "Usage: 0.00000342%" \
  "Breakdown by model:" "  gpt-4o-mini: \$0.0000171 (39 tokens, 1 request)"; do
  assert_contains "$out" "$line" "step 6: spend shows '$line'"
done
assert_contains "$out" "Period: $(date -u +%Y-%m)-01 to" "step 6: period is the current month"
# The forecast's last line moves with the clock (a pace since the first allocation, seconds old).
assert_eq "$(grep -v pace <<<"$out")" "$("$KT" spend --team team_engineering | grep -v pace)" "step 6: --team takes the wallet id too"
out=$("$KT" spend --all)
assert_eq "Team Budget Spent Remaining Usage|engineering \$500.00 \$0.0000171 \$499.9999829 0.00000342%|marketing \$100.00 \$0.00 \$100.00 0.0%" \
  "$(tr -s ' ' <<<"$out" | paste -sd'|')" "step 6: spend --all table"

# Step 7: a low budget, then requests until it is exhausted
api POST /v1/wallets/allocate '{"team_id": "team_marketing", "amount": 0.01, "currency": "USD"}' >/dev/null
assert_eq "0.01" "$(balance team_marketing | jq -r .budget)" "step 7: budget lowered to 0.01"
hits_before=$(mock_hits)
essay='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a long essay about every country in the world."}]}'
out=$(chat kt_cg_marketing_def456 "$essay")
assert_eq "HTTP 200" "$(tail -n1 <<<"$out")" "step 7: first essay fits"
eventually '[ "$(balance team_marketing | jq -r .reserved)" = 0 ]' || fail "step 7: first essay not settled"
out=$(chat kt_cg_marketing_def456 "$essay")
assert_eq "HTTP 402" "$(tail -n1 <<<"$out")" "step 7: second essay refused"
body=$(head -n -1 <<<"$out")
assert_eq '{"error":{"message":"Budget exceeded for consumer group: marketing","type":"budget_exceeded","code":"insufficient_balance","details":{"team":"marketing","budget":0.01,"spent":0.00480255,"estimated_cost":0.0098331}}}' \
  "$body" "step 7: the 402 body, exact (spent 17x0.00015/1k + 8000x0.0006/1k; estimate 18 prompt + 16384 output tokens)"
assert_eq "$((hits_before + 1))" "$(mock_hits)" "step 7: the refused request never reached the upstream"

# Step 8: events
eventually '[ "$("$KT" events tail --last 3 --format json | jq length)" = 3 ]' || fail "step 8: events not shipped"
out=$("$KT" events tail --last 3 --format json | jq -c '.[] | {consumer_group, model, cost: .cost, tokens: .usage.total_tokens}')
expected='{"consumer_group":"engineering","model":"gpt-4o-mini","cost":1.71e-05,"tokens":39}
{"consumer_group":"marketing","model":"gpt-4o-mini","cost":0.00480255,"tokens":8017}
{"consumer_group":"marketing","model":"gpt-4o-mini","cost":null,"tokens":0}'
assert_eq "$expected" "$out" "step 8: the last three decision events (jq 1.6 prints 0.0000171 as 1.71e-05)"
raw=$("$KT" events tail --last 3 --format json)
assert_contains "$raw" '"cost":0.0000171' "step 8: the event carries the exact decimal cost"
table=$("$KT" events tail --last 3 --format table)
assert_contains "$table" "budget_exceeded" "step 8: table format shows the refusal"
finish
