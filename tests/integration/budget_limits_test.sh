#!/usr/bin/env bash
# Budget-aware limits: cost_tracking.on_insufficient: clamp lowers max_tokens so a request fits the
# wallet (the event records both values); a stream with no max_tokens is cut at its reservation.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
start_mock_and_api
# A model whose output cap (what a request without max_tokens reserves) is only 40 tokens.
api POST /v1/model-pricing '{"model":"capped-model","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006,"max_output_tokens":40}' >/dev/null
allocate team_small 0.0001
allocate team_tiny 0.000001
allocate team_engineering 5
cat >"$WORK/policy-config.yaml" <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref: {env: OPENAI_API_KEY}
consumer_groups:
  - name: small
    api_key: kt_cg_small_0123456789
    wallet_team_id: team_small
  - name: tiny
    api_key: kt_cg_tiny_0123456789
    wallet_team_id: team_tiny
  - name: engineering
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
cost_tracking:
  enabled: true
  wallet_enforcement: true
  on_insufficient: clamp
api:
  url: $KEEPTRUSTS_API_URL
  token_env: KEEPTRUSTS_API_TOKEN
YAML
lint=$("$KT" policy lint --file "$WORK/policy-config.yaml") || fail "lint: $lint"
start_gateway "$WORK/policy-config.yaml"
MINI_IN=150000; MINI_OUT=600000
SPENT=0

# 1. No max_tokens: the worst case (16384 output tokens) does not fit $0.0001; clamped to what does.
assert_eq 200 "$(req kt_cg_small_0123456789 '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"tell me something"}]}')" "clamp: answered"
sent=$(curl -sS "$MOCK_URL/_mock/last" | jq -r .body)
id=$(request_id); wait_events small 1
ev=$(event_of "$id")
clamped=$(jq .max_tokens_clamped <<<"$ev")
assert_eq "$clamped" "$(jq .max_tokens <<<"$sent")" "clamp: the upstream got the clamped max_tokens"
assert_eq "null" "$(jq .max_tokens_requested <<<"$ev")" "clamp: the client gave none"
# The largest output that fits after the prompt estimate, at the reservation's rounding.
p=$(jq .prompt_tokens_estimate <<<"$ev")
expect=$(( (100000 * 1000 - p * MINI_IN) / MINI_OUT ))
assert_eq "$expect" "$clamped" "clamp: the largest output that fits ((remaining - prompt) / output price)"
assert_eq "100000" "$(( $(jq .estimated_cost <<<"$ev" | nanos) + ( (100000 * 1000 - p * MINI_IN) % MINI_OUT ) / 1000 ))" \
  "clamp: the reservation uses (almost) the whole remaining budget" 
SPENT=$(cost_nanos "$(jq .usage.prompt_tokens <<<"$ev")" "$(jq .usage.completion_tokens <<<"$ev")" $MINI_IN $MINI_OUT)
ledger_exact team_small small 1 $SPENT "clamp without max_tokens"

# 2. The client's max_tokens is lowered; the other fields of its body are left as they were.
assert_eq 200 "$(req kt_cg_small_0123456789 '{"model":"gpt-4o-mini","max_tokens":5000,"temperature":0.70,"messages":[{"role":"user","content":"again"}]}')" "clamp: max_tokens lowered"
sent=$(curl -sS "$MOCK_URL/_mock/last" | jq -r .body)
id=$(request_id); wait_events small 2
ev=$(event_of "$id")
assert_eq "5000 $(jq .max_tokens_clamped <<<"$ev")" "$(jq -r '"\(.max_tokens_requested) \(.max_tokens_clamped)"' <<<"$ev")" "clamp: the event records both values"
assert_eq "{\"model\":\"gpt-4o-mini\",\"max_tokens\":$(jq .max_tokens_clamped <<<"$ev"),\"temperature\":0.70,\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}" \
  "$sent" "clamp: only max_tokens rewritten, the rest byte for byte"
SPENT=$((SPENT + $(cost_nanos "$(jq .usage.prompt_tokens <<<"$ev")" "$(jq .usage.completion_tokens <<<"$ev")" $MINI_IN $MINI_OUT)))
ledger_exact team_small small 2 $SPENT "clamp with max_tokens"

# 3. When not even a short answer fits, the tutorial's 402 stands.
hits=$(mock_hits)
assert_eq 402 "$(req kt_cg_tiny_0123456789 '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"anything at all"}]}')" "clamp: 402 when nothing fits"
assert_eq "insufficient_balance" "$(jq -r .error.code "$WORK/body")" "clamp: the 402 code"
assert_eq "$hits" "$(mock_hits)" "clamp: the refused request never reached the upstream"
ledger_exact team_tiny tiny 1 0 "clamp refused"

# 4. A stream without max_tokens reserved the model's 40-token cap; the upstream would send 200:
#    it is cut at the reservation with a final error event, and the reservation is what is billed.
out=$(curl -sN "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_engineering_abc123" \
  -D "$WORK/headers" -d '{"model":"capped-model","stream":true,"messages":[{"role":"user","content":"go on [mock:completion_tokens=200]"}]}')
assert_eq '{"error":{"message":"the answer reached the output its budget reservation covers; the stream was cut","type":"budget_exceeded","code":"stream_cut_at_reservation"}}' \
  "$(grep '^data: ' <<<"$out" | tail -n 2 | head -n 1 | sed 's/^data: //')" "stream cut: final SSE error event"
assert_eq "data: [DONE]" "$(grep '^data: ' <<<"$out" | tail -n 1)" "stream cut: then [DONE]"
words=$(grep '^data: {"id"' <<<"$out" | sed 's/^data: //' | jq -rj '.choices[0].delta.content // empty' | wc -w)
[ "$words" -gt 0 ] && [ "$words" -le 40 ] && pass "stream cut: $words words passed, within the reservation" || fail "stream cut: $words words passed"
id=$(request_id); wait_events engineering 1
ev=$(event_of "$id")
assert_eq "true stream_cut_at_reservation 40 true" \
  "$(jq -r '"\(.stream_cut_at_reservation) \(.reason) \(.output_tokens_reserved) \(.cost == .estimated_cost)"' <<<"$ev")" "stream cut: the event says so, billed at the reservation"
ledger_exact team_engineering engineering 1 "$(jq .estimated_cost <<<"$ev" | nanos)" "stream cut"
finish
