#!/usr/bin/env bash
# Rate limits hold across gateways (docs/traffic.md "Rate limits and the spend-rate breaker"): 3 gateways
# share one API; 600 requests/minute; 2,000 requests offered in 30 s. Never more than 600 are
# admitted in any 60 s window (the mock upstream's count and the answers' timestamps), and at
# least 95 % of the allowance is used. Then the spend-rate breaker across the same 3 gateways.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_research 100
allocate team_burn 100
cat >"$WORK/policy-config.yaml" <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref: {env: OPENAI_API_KEY}
rate_limit_defaults: {requests_per_minute: 600, response_headers: true}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
  - name: burn
    api_key: kt_cg_burn_0123456789
    wallet_team_id: team_burn
    rate_limits: {requests_per_minute: 100000, max_spend_per_minute: 0.05}
cost_tracking: {enabled: true, wallet_enforcement: true}
api: {url: $KEEPTRUSTS_API_URL, token_env: KEEPTRUSTS_API_TOKEN}
YAML
lint=$("$KT" policy lint --file "$WORK/policy-config.yaml") || fail "lint: $lint"
URLS=()
for g in 1 2 3; do  # each its own spool and log
  launch_gateway "$WORK/policy-config.yaml" "$g"
  URLS+=("$LAUNCHED_URL")
done

body='{"model":"gpt-4o-mini","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}'
python3 "$(dirname "$0")/rate_driver.py" kt_cg_research_ghi789 2000 30 "$body" "${URLS[@]}" >"$WORK/answers.txt"
admitted=$(awk '$3 == 200' "$WORK/answers.txt" | wc -l)
refused=$(awk '$3 == 429' "$WORK/answers.txt" | wc -l)
echo "admitted $admitted, refused $refused of $(wc -l <"$WORK/answers.txt")"
assert_eq 2000 "$((admitted + refused))" "every request got 200 or 429"
[ "$admitted" -le 600 ] && pass "no more than 600 admitted ($admitted)" || fail "$admitted admitted: more than the limit"
[ "$admitted" -ge 570 ] && pass "at least 95% of the allowance used ($admitted)" || fail "only $admitted of 600 admitted"
# Any 60 s window: the answers came within 30 s, so every window holds at most all of them; check
# the sliding count on the answers' own timestamps all the same.
max_window=$(awk '$3 == 200 {print $2}' "$WORK/answers.txt" | sort -n | awk '{t[NR]=$1} END {m=0; j=1; for (i=1;i<=NR;i++) {while (t[i]-t[j] >= 60) j++; if (i-j+1>m) m=i-j+1} print m}')
[ "$max_window" -le 600 ] && pass "sliding 60 s window of answers: at most $max_window" || fail "a 60 s window held $max_window"
hits=$(mock_hits)
[ "$hits" -le 600 ] && pass "the upstream saw $hits requests" || fail "the upstream saw $hits requests"
bad_retry=$(awk '$3 == 429 && $4 !~ /^[0-9]+$/' "$WORK/answers.txt" | wc -l)
assert_eq 0 "$bad_retry" "every 429 carries Retry-After in seconds"
out=$(curl -sS -D - -o /dev/null "${URLS[0]}/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_research_ghi789" -d "$body")
assert_contains "$out" "x-ratelimit-limit-requests: 600" "x-ratelimit-limit-requests"
assert_contains "$out" "x-ratelimit-remaining-requests: " "x-ratelimit-remaining-requests"

# The spend-rate breaker across the 3 gateways: $0.05 a minute; each request's worst case and cost
# is about $0.00006 (100 completion tokens x 0.0006 per 1K plus a short prompt).
spend_body='{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi [mock:completion_tokens=100]"}]}'
python3 "$(dirname "$0")/rate_driver.py" kt_cg_burn_0123456789 1200 12 "$spend_body" "${URLS[@]}" >"$WORK/burn.txt"
burn_ok=$(awk '$3 == 200' "$WORK/burn.txt" | wc -l)
burn_refused=$(awk '$3 == 429' "$WORK/burn.txt" | wc -l)
echo "spend: admitted $burn_ok, refused $burn_refused"
eventually '[ "$(balance team_burn | jq -r .reserved)" = 0 ]' 15 || fail "burn settles did not arrive"
spent=$(spent_nanos team_burn)
[ "$spent" -le 50000000 ] && pass "spend admitted within one minute: $spent nano-dollars <= \$0.05" || fail "spent $spent nano-dollars > \$0.05"
[ "$spent" -ge 47500000 ] && pass "at least 95% of the spend allowance used" || fail "only $spent of 50000000 nano-dollars used"
[ "$burn_refused" -gt 0 ] && pass "the loop is refused ($burn_refused)" || fail "nothing refused"
finish
