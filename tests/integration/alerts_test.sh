#!/usr/bin/env bash
# Budget alerts: each notify threshold fires exactly once per period (log line, alert event,
# webhook), and a block threshold refuses with the 402 once usage reaches it.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_marketing 0.01
allocate team_engineering 0.01
HOOK_PORT=$(free_port)
python3 "$(dirname "$0")/webhook_sink.py" "$HOOK_PORT" "$WORK/webhooks.txt" & PIDS+=($!)
write_config "$WORK/policy-config.yaml"
sed -i "s#  wallet_enforcement: true#  wallet_enforcement: true\n  alert_webhook_url: http://127.0.0.1:$HOOK_PORT/hooks/budget#" "$WORK/policy-config.yaml"
start_gateway "$WORK/policy-config.yaml"

# Each request: 9 prompt tokens x 150 + 900 completion tokens x 600 = 541,350 nano-dollars (5.4135%).
req='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
for i in $(seq 1 18); do
  code=$(chat kt_cg_marketing_def456 "$req" | tail -n1)
  [ "$code" = "HTTP 200" ] || fail "request $i: $code"
  eventually '[ "$(balance team_marketing | jq -r .reserved)" = 0 ]' || fail "request $i not settled"
done
assert_eq "0.0097443" "$(balance team_marketing | jq -r .spent | awk '{printf "%.7f", $1}')" "18 requests spent exactly"
assert_eq "HTTP 402" "$(chat kt_cg_marketing_def456 "$req" | tail -n1)" "the 19th does not fit"
eventually '[ "$("$KT" events tail --type alert --last 10 --format json | jq length)" = 3 ]' || fail "3 alert events expected"
assert_eq "50 80 95" "$("$KT" events tail --type alert --last 10 --format json | jq -r '[.[].threshold_percent] | join(" ")')" "alerts 50, 80, 95, once each"
assert_eq "marketing" "$("$KT" events tail --type alert --last 1 --format json | jq -r '.[0].consumer_group')" "alert names the group"
assert_eq 0 "$("$KT" events tail --last 50 --format json | jq '[.[] | select(.type == "alert")] | length')" "decision events stay apart from alerts"
eventually '[ "$(wc -l < "$WORK/webhooks.txt")" = 3 ]' 10 || fail "3 webhook posts expected"
assert_contains "$(cat "$WORK/webhooks.txt")" "reached 80% of its" "webhook text is Slack-compatible"
jq -e .text <"$WORK/webhooks.txt" >/dev/null && pass "webhook bodies are {\"text\": ...}" || fail "webhook body"
assert_contains "$(cat "$WORK/gateway.log")" "budget alert: threshold=95% action=notify consumer_group=marketing" "structured log line"

# A block threshold below 100%: refused once usage reaches it, with the same 402 body.
sed -i "s/threshold_percent: 95/threshold_percent: 20/" "$WORK/policy-config.yaml"
awk '/threshold_percent: 20/{print; getline; sub(/notify/, "block")} {print}' "$WORK/policy-config.yaml" >"$WORK/block.yaml"
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
start_gateway "$WORK/block.yaml"
for i in 1 2 3 4; do chat kt_cg_engineering_abc123 "$req" >/dev/null; eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]'; done
out=$(chat kt_cg_engineering_abc123 "$req")
assert_eq "HTTP 402" "$(tail -n1 <<<"$out")" "block threshold 20%: refused at 21.654%"
assert_eq "budget_exceeded Budget exceeded for consumer group: engineering" "$(head -n -1 <<<"$out" | jq -r '"\(.error.type) \(.error.message)"')" "same 402 body"
assert_eq "0.0021654" "$(balance team_engineering | jq -r .spent | awk '{printf "%.7f", $1}')" "4 requests charged, the 5th not"
finish
