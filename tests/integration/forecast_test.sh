#!/usr/bin/env bash
# Forecasts with a fake clock (KT_FAKE_CLOCK_FILE, the test hook every process reads; see
# core/period.hpp): spend history at known times, then the burn rates, the projected exhaustion
# date in GET /v1/wallets/balance and `kt spend`, and the projected_exhaustion alert (once per
# team and period: event and webhook). Each request costs 9 x 150 + 900 x 600 = 541,350 nano-dollars.
source "$(dirname "$0")/lib.sh"
export KT_FAKE_CLOCK_FILE="$WORK/clock"
set_clock() { echo "$(date -u -d "$1" +%s)" >"$KT_FAKE_CLOCK_FILE"; }
set_clock 2026-11-20T00:00:00Z

forecast() { api GET "/v1/wallets/balance?team_id=$1" | jq -c .forecast; }  # by default, no ?forecast=true
start_mock_and_api
allocate team_marketing 0.005
allocate team_engineering 100
HOOK_PORT=$(free_port)
python3 "$(dirname "$0")/webhook_sink.py" "$HOOK_PORT" "$WORK/webhooks.txt" & PIDS+=($!)
write_config "$WORK/policy-config.yaml"
sed -i "s#  wallet_enforcement: true#  wallet_enforcement: true\n  alert_webhook_url: http://127.0.0.1:$HOOK_PORT/hooks/budget#" "$WORK/policy-config.yaml"

# Before any spend: a pace from the history, no date.
set_clock 2026-12-01T12:00:00Z
assert_eq "last_7_days null false" "$(forecast team_marketing | jq -r '"\(.pace) \(.exhausts_at) \(.exhausts_before_period_end)"')" \
  "no spend yet: no exhaustion date"
start_gateway "$WORK/policy-config.yaml"
req='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
spend_at() {  # TIME EXPECTED_SPENT_NANOS
  set_clock "$1"
  assert_eq "HTTP 200" "$(chat kt_cg_marketing_def456 "$req" | tail -n1)" "request at $1"
  eventually "[ \"\$(spent_nanos team_marketing)\" = $2 ]" 10 || fail "request at $1 not settled ($(spent_nanos team_marketing))"
}
projected_alerts() { "$KT" events tail --type alert --last 50 --format json | jq -c '[.[] | select(.kind == "projected_exhaustion")]'; }

# A: at the 7 days' pace (541,350 a week) the 4,458,650 left last past the period's end: no alert.
spend_at 2026-12-01T12:00:00Z 541350
assert_eq "[]" "$(projected_alerts)" "no alert while the date lies after the period's end"
# B: 1,082,700 in 7 days, 3,917,300 left: 3917300 x 604800 / 1082700 = 2188217 s later, Dec 30th.
spend_at 2026-12-05T12:00:00Z 1082700
eventually '[ "$(projected_alerts | jq length)" = 1 ]' 10 || fail "one projected_exhaustion alert expected"
assert_eq "2026-12-30T19:50:17.000000Z 2027-01-01T00:00:00.000000Z marketing team_marketing 2026-12" \
  "$(projected_alerts | jq -r '.[0] | "\(.exhausts_at) \(.period_end) \(.consumer_group) \(.team_id) \(.period)"')" \
  "the alert's exact date, once the date moved before the period's end"
# C: the date stays before the end: no second alert this period.
spend_at 2026-12-08T12:00:00Z 1624050
eventually '[ "$(wc -l < "$WORK/webhooks.txt")" = 1 ]' 10 || fail "one webhook post expected"
assert_contains "$(cat "$WORK/webhooks.txt")" "runs out of its 2026-12 budget at 2026-12-30T19:50:17.000000Z, before the period ends" \
  "the webhook names the date"
assert_contains "$(cat "$WORK/gateway.log")" "budget alert: kind=projected_exhaustion consumer_group=marketing" "alert log line"

# The forecast at Dec 9th 00:00: hour (Dec 8 23:00, Dec 9]: nothing; day: C; 7 days: B and C.
set_clock 2026-12-09T00:00:00Z
f=$(forecast team_marketing)
assert_eq "0 0 true" "$(jq -r '.burn_rate.last_hour | "\(.spent) \(.per_day) \(.complete)"' <<<"$f")" "last hour: no spend"
assert_eq "0.00054135 0.00054135" "$(jq -r '.burn_rate.last_day | "\(.spent) \(.per_day)"' <<<"$f")" "last day: C"
assert_eq "0.0010827 0.000154671 true" "$(jq -r '.burn_rate.last_7_days | "\(.spent) \(.per_day) \(.complete)"' <<<"$f")" \
  "last 7 days: B and C, 1,082,700 / 7 a day (rounded down to the nano-dollar)"
# 3,375,950 left x 604800 / 1,082,700 = 1885817 s after Dec 9th: Dec 30th 19:50:17, 101,383 s before Jan 1st.
assert_eq "last_7_days 0.00337595 2026-12-30T19:50:17.000000Z true 101383" \
  "$(jq -r '"\(.pace) \(.left) \(.exhausts_at) \(.exhausts_before_period_end) \(.before_period_end_seconds)"' <<<"$f")" \
  "the projected exhaustion, exact"
assert_eq "At the last 7 days' pace the budget runs out on 2026-12-30 (1 day before the period ends)" \
  "$("$KT" spend --team marketing | tail -n1)" "kt spend prints the forecast"
assert_contains "$("$KT" spend --team marketing)" "Usage: 32.481%" "the tutorial's layout is unchanged above it"
assert_eq "No spend in the last 7 days: no forecast." "$("$KT" spend --team engineering | tail -n1)" "a team without spend"
assert_eq "1" "$(api GET '/v1/wallets' | jq '[.[] | select(.forecast.exhausts_before_period_end)] | length')" \
  "GET /v1/wallets: a forecast per team"
assert_eq "$(forecast team_marketing)" "$(api GET '/v1/spend?team=marketing' | jq -c .wallet.forecast)" \
  "the same forecast in /v1/spend"
assert_eq "null" "$(api GET '/v1/spend?team=marketing&period=2026-11' | jq -c .wallet.forecast)" "no forecast for a past period"
assert_eq "$(forecast team_marketing)" "$(api GET '/v1/wallets/balance?team_id=team_marketing&forecast=true' | jq -c .forecast)" \
  "?forecast=true: the same forecast as by default"
assert_eq "null null" "$(api GET '/v1/wallets/balance?team_id=team_marketing&forecast=false' | jq -c .forecast) $(api GET '/v1/wallets?forecast=false' | jq -c '.[0].forecast')" \
  "?forecast=false: none (a balance that stays still while nothing is spent)"
code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/wallets/balance?team_id=marketing&forecast=yes" \
  -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")
assert_eq "400 invalid_parameter" "$code $(jq -r .error.code "$WORK/bad.json")" "forecast=yes: 400"
code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/spend?team=marketing&period=2026-13" \
  -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")
assert_eq "400 invalid_parameter" "$code $(jq -r .error.code "$WORK/bad.json")" "a bad period: 400"
finish
