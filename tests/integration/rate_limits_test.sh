#!/usr/bin/env bash
# Rate limits and the spend-rate breaker on one gateway: requests_per_minute refuses with 429
# rate_limit_exceeded and Retry-After (never forwarded, nothing reserved, an event naming the
# bound); tokens_per_minute counts the estimate and is corrected at settle; x-ratelimit-* headers;
# max_spend_per_minute refuses a burning loop with 429 spend_rate_exceeded within seconds and
# alerts once; lint knows the keys and rejects bad values.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
for t in team_research team_tokens team_burn; do
  allocate "$t" 10
done
HOOK_PORT=$(free_port)
python3 "$(dirname "$0")/webhook_sink.py" "$HOOK_PORT" "$WORK/webhooks.txt" & PIDS+=($!)
cat >"$WORK/policy-config.yaml" <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref: {env: OPENAI_API_KEY}
rate_limit_defaults: {requests_per_minute: 5, response_headers: true}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
  - name: tokens
    api_key: kt_cg_tokens_0123456789
    wallet_team_id: team_tokens
    rate_limits: {requests_per_minute: 100, tokens_per_minute: 1000, tokens_per_day: 1000000}
  - name: burn
    api_key: kt_cg_burn_0123456789
    wallet_team_id: team_burn
    rate_limits: {requests_per_minute: 1000, max_spend_per_minute: 0.001, max_spend_per_hour: 5.00}
cost_tracking:
  enabled: true
  wallet_enforcement: true
  alert_webhook_url: http://127.0.0.1:$HOOK_PORT/hooks/spend
api: {url: $KEEPTRUSTS_API_URL, token_env: KEEPTRUSTS_API_TOKEN}
YAML
lint=$("$KT" policy lint --file "$WORK/policy-config.yaml") || fail "lint: $lint"
# One worker: the token correction below is that worker's (another worker's unused slice comes
# back within 3 s, docs/traffic.md "Rate limits and the spend-rate breaker").
start_gateway "$WORK/policy-config.yaml" --threads 1

send() {  # KEY BODY -> headers and body in $WORK/h, $WORK/b; prints the status
  curl -sS -D "$WORK/h" -o "$WORK/b" -w "%{http_code}" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
    -H "X-Consumer-Group: $1" -d "$2"
}
hdr() { grep -i "^$1:" "$WORK/h" | cut -d' ' -f2- | tr -d '\r'; }
body='{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"hello"}]}'

# requests_per_minute from rate_limit_defaults: 5 pass, the 6th is refused.
for i in 1 2 3 4 5; do
  assert_eq 200 "$(send kt_cg_research_ghi789 "$body")" "request $i within 5/minute"
done
assert_eq 5 "$(hdr x-ratelimit-limit-requests)" "x-ratelimit-limit-requests"
assert_eq 0 "$(hdr x-ratelimit-remaining-requests)" "x-ratelimit-remaining-requests after 5"
[[ "$(hdr x-ratelimit-reset-requests)" =~ ^[0-9]+(ms|s|m[0-9]+s)$ ]] && pass "x-ratelimit-reset-requests in OpenAI's format ($(hdr x-ratelimit-reset-requests))" \
  || fail "reset header: [$(hdr x-ratelimit-reset-requests)]"
hits=$(mock_hits)
assert_eq 429 "$(send kt_cg_research_ghi789 "$body")" "the 6th is refused"
assert_eq "rate_limit_exceeded rate_limit_exceeded requests_per_minute" "$(jq -r '"\(.error.type) \(.error.code) \(.error.limit)"' "$WORK/b")" "429 envelope"
retry=$(hdr retry-after)
[[ "$retry" =~ ^[0-9]+$ ]] && [ "$retry" -ge 1 ] && [ "$retry" -le 65 ] && pass "Retry-After: $retry" || fail "Retry-After [$retry]"
assert_eq 5 "$(hdr x-ratelimit-limit-requests)" "a 429 carries the headers too"
assert_eq "$hits" "$(mock_hits)" "the refused request was never forwarded"
assert_eq 0 "$(balance team_research | jq -r .reserved)" "nothing reserved for it"
eventually '"$KT" events tail --last 10 --format json | jq -e "[.[] | select(.reason_code == \"rate_limit_exceeded\" and .rate_limit == \"requests_per_minute\")] | length == 1"' 10 \
  && pass "the event names the bound" || fail "no rate_limit_exceeded event"

# tokens_per_minute: each request's estimate (~610 tokens) is counted, then corrected to its usage,
# so three fit in 1,000 tokens; one that alone is more than the limit never fits.
tbody='{"model":"gpt-4o-mini","max_tokens":600,"messages":[{"role":"user","content":"hello [mock:completion_tokens=5]"}]}'
for i in 1 2 3; do assert_eq 200 "$(send kt_cg_tokens_0123456789 "$tbody")" "tokens request $i (corrected at settle)"; done
assert_eq 1000 "$(hdr x-ratelimit-limit-tokens)" "x-ratelimit-limit-tokens"
rem=$(hdr x-ratelimit-remaining-tokens)
[ "$rem" -ge 300 ] && [ "$rem" -lt 1000 ] && pass "x-ratelimit-remaining-tokens $rem" || fail "remaining tokens [$rem]"
assert_eq 429 "$(send kt_cg_tokens_0123456789 '{"model":"gpt-4o-mini","max_tokens":5000,"messages":[{"role":"user","content":"hi"}]}')" "a request larger than the limit"
assert_contains "$(jq -r .error.message "$WORK/b")" "is more than consumer group 'tokens' may use under tokens_per_minute" "says it never fits"

# max_spend_per_minute: a loop burning ~$0.0006 a request is stopped at the second.
bbody='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"go [mock:completion_tokens=900]"}]}'
codes=""
for i in 1 2 3 4 5 6; do codes="$codes $(send kt_cg_burn_0123456789 "$bbody")"; done
assert_eq " 200 429 429 429 429 429" "$codes" "the loop is refused from its second request"
assert_eq "spend_rate_exceeded spend_rate_exceeded max_spend_per_minute" "$(jq -r '"\(.error.type) \(.error.code) \(.error.limit)"' "$WORK/b")" "429 spend_rate_exceeded"
eventually '"$KT" events tail --last 20 --format json | jq -e "[.[] | select(.reason_code == \"spend_rate_exceeded\" and .rate_limit == \"max_spend_per_minute\")] | length == 5"' 10 \
  && pass "each refusal's event names max_spend_per_minute" || fail "spend events"
eventually '[ "$("$KT" events tail --type alert --last 10 --format json | jq "[.[] | select(.rate_bound == \"max_spend_per_minute\")] | length")" = 1 ]' 10 \
  && pass "one alert event for five refusals" || fail "alert events: $("$KT" events tail --type alert --last 10 --format json)"
eventually '[ "$(wc -l < "$WORK/webhooks.txt")" = 1 ]' 10 && pass "one webhook" || fail "webhooks: $(cat "$WORK/webhooks.txt" 2>/dev/null)"
assert_contains "$(cat "$WORK/webhooks.txt")" "hit max_spend_per_minute" "webhook names the bound"
assert_contains "$(cat "$WORK/gateway.log")" "spend-rate alert: bound=max_spend_per_minute" "alert log line"

# Lint: unknown keys with a did-you-mean, bad counts and amounts.
cat >"$WORK/bad.yaml" <<YAML
version: '1'
rate_limit_defaults: {request_per_minute: 5}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
    rate_limits: {requests_per_minute: 0, tokens_per_day: 1.5, max_spend_per_minute: lots, max_spend_per_hour: -1}
api: {url: $KEEPTRUSTS_API_URL}
YAML
out=$("$KT" policy lint --file "$WORK/bad.yaml" 2>&1) && fail "lint accepted bad rate limits"
assert_contains "$out" "did you mean 'requests_per_minute'?" "did-you-mean for a typo"
assert_contains "$out" "rate_limits.requests_per_minute: must be a whole number between 1" "zero requests"
assert_contains "$out" "rate_limits.max_spend_per_minute: expected a positive amount in USD" "a word for an amount"
assert_contains "$out" "rate_limits.max_spend_per_hour: expected a positive amount in USD" "a negative amount"
assert_contains "$out" "tokens_per_day" "a fractional token count"
finish
