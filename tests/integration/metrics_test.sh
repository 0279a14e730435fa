#!/usr/bin/env bash
# /metrics on the gateway and on the API after real traffic: text promtool accepts, figures that
# match the ledger to the nano-dollar, labels only from the config and the price book (never a
# client's model name, never a key), the API's /metrics behind its token, the gateway's behind
# one when `metrics.token_env` is set.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { fail "promtool is missing: scripts/setup.sh installs Debian's prometheus package"; finish; }
start_mock_and_api
allocate team_engineering 5
start_example_gateway --threads 2
ENG=kt_cg_engineering_abc123
HAIKU='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'

metric() {  # TEXT SERIES -> the value of that exact series (name{labels}), or empty
  awk -v s="$2" '$1 == s {print $2}' <<<"$1"
}
gw_metrics() { curl -sS "$GW_URL/metrics"; }
api_metrics() { curl -sS "$KEEPTRUSTS_API_URL/metrics" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN"; }
promtool_ok() {  # TEXT WHAT
  local out
  if out=$(promtool check metrics <<<"$1" 2>&1); then pass "$2: promtool check metrics is clean"; else fail "$2: promtool: $out"; fi
}

# Traffic: 3 JSON answers (one with cached and reasoning tokens), 1 stream, then refusals.
for i in 1 2; do chat $ENG "$HAIKU" >/dev/null; done
chat $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"cache me [mock:prompt_tokens=100][mock:cached_tokens=40][mock:completion_tokens=30][mock:reasoning_tokens=12]"}]}' >/dev/null
curl -sN "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: $ENG" \
  -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}' >/dev/null
assert_contains "$(chat $ENG '{"model":"gpt-secret-model-x","messages":[{"role":"user","content":"hi"}]}')" "HTTP 400" "unknown model refused"
assert_contains "$(chat kt_cg_marketing_def456 "$HAIKU")" "HTTP 402" "a team without a wallet refused"
assert_contains "$(chat kt_cg_not_a_real_key_000 "$HAIKU")" "HTTP 401" "an unknown key refused"
assert_contains "$(chat $ENG '{"model":"gpt-4o-mini","messages":"nope"}')" "HTTP 400" "a malformed request refused"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "requests not settled"
eventually '[ "$(metric "$(gw_metrics)" kt_ledger_unapplied_records)" = 0 ]' || fail "ledger log not applied"

M=$(gw_metrics)
promtool_ok "$M" "gateway"
assert_eq "text/plain; version=0.0.4; charset=utf-8" \
  "$(curl -sS -o /dev/null -w '%{content_type}' "$GW_URL/metrics")" "gateway /metrics content type"
series='team="team_engineering",model="gpt-4o-mini",provider="openai",route="/v1/chat/completions"'
assert_eq 4 "$(metric "$M" "kt_requests_total{$series,decision=\"allow\",code=\"200\"}")" "4 answered requests, summed over both workers"
assert_eq 1 "$(metric "$M" 'kt_requests_total{team="team_engineering",model="unpriced",provider="none",route="/v1/chat/completions",decision="block",code="400"}')" \
  "the unknown model is counted as model=\"unpriced\""
assert_eq 1 "$(metric "$M" 'kt_requests_total{team="team_engineering",model="none",provider="none",route="/v1/chat/completions",decision="block",code="400"}')" \
  "a request refused before pricing is counted as model=\"none\""
assert_eq 1 "$(metric "$M" "kt_requests_total{team=\"team_marketing\",model=\"gpt-4o-mini\",provider=\"openai\",route=\"/v1/chat/completions\",decision=\"block\",code=\"402\"}")" \
  "the 402 counted under the team's label"
assert_eq "" "$(grep -F -e gpt-secret-model-x -e kt_cg_ -e sk-test-upstream <<<"$M")" "no client model name and no key in the gateway's metrics"
tok='team="team_engineering",model="gpt-4o-mini"'
# Haikus: 14 prompt + 25 completion each (x3 with the stream); the cached one: 60 + 40 cached, 30 out (12 reasoning).
assert_eq 102 "$(metric "$M" "kt_tokens_total{$tok,type=\"input\"}")" "input tokens (uncached)"
assert_eq 40 "$(metric "$M" "kt_tokens_total{$tok,type=\"cached_input\"}")" "cached input tokens"
assert_eq 0 "$(metric "$M" "kt_tokens_total{$tok,type=\"cache_write\"}")" "cache-write tokens"
assert_eq 105 "$(metric "$M" "kt_tokens_total{$tok,type=\"output\"}")" "output tokens"
assert_eq 12 "$(metric "$M" "kt_tokens_total{$tok,type=\"reasoning\"}")" "reasoning tokens"
spent=$(balance team_engineering | grep -o '"spent":[0-9.e-]*' | cut -d: -f2)
assert_eq "$spent" "$(metric "$M" "kt_spend_usd_total{$tok}")" "spend equals the wallet's spent, digit for digit"
assert_eq 1 "$(metric "$M" 'kt_refusals_total{reason="budget_exceeded"}')" "refusals: budget_exceeded"
assert_eq 1 "$(metric "$M" 'kt_refusals_total{reason="unknown_model"}')" "refusals: unknown_model"
assert_eq 1 "$(metric "$M" 'kt_refusals_total{reason="invalid_request"}')" "refusals: invalid_request"
assert_eq 1 "$(metric "$M" 'kt_refusals_total{reason="auth_failed"}')" "refusals: auth_failed (the 401s)"
assert_eq 7 "$(metric "$M" kt_request_duration_seconds_count)" "every priced request in the duration histogram"
assert_eq 7 "$(metric "$M" 'kt_request_duration_seconds_bucket{le="+Inf"}')" "+Inf bucket = count"
assert_eq 4 "$(metric "$M" kt_upstream_duration_seconds_count)" "one upstream call per answered request, none for refusals"
assert_eq 1 "$(metric "$M" kt_time_to_first_token_seconds_count)" "one stream timed to its first token"
assert_eq 4 "$(metric "$M" kt_added_latency_seconds_count)" "added latency of every request sent upstream"
assert_eq 5 "$(metric "$M" 'kt_budget_limit_usd{team="team_engineering"}')" "the budget as the gateway last saw it"
assert_eq 0 "$(metric "$M" kt_ledger_lag_seconds)" "no ledger lag once applied"
assert_eq 0 "$(metric "$M" 'kt_api_errors_total{source="log_shipper"}')" "no shipping failure"
[ "$(metric "$M" kt_ledger_spool_bytes)" -gt 0 ] && pass "spool bytes reported" || fail "kt_ledger_spool_bytes missing"

# Budget leases: a burst makes the workers lease; what they may still spend is at most what the API says is leased.
seq 1 60 | xargs -P 8 -I{} curl -sS -o /dev/null "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
  -H "X-Consumer-Group: $ENG" -d "$HAIKU"
M=$(gw_metrics)
headroom=$(metric "$M" 'kt_lease_headroom_usd{team="team_engineering"}')
leased=$(metric "$(api_metrics)" 'kt_wallet_leased_usd{team="team_engineering"}')
awk -v h="$headroom" -v l="$leased" 'BEGIN { exit !(h > 0 && h <= l) }' &&
  pass "lease headroom $headroom within the leased $leased" || fail "lease headroom [$headroom] vs leased [$leased]"
assert_eq 67 "$(metric "$M" kt_request_duration_seconds_count)" "the burst counted"

# The API: behind its token; balances exact; requests by route and status; store latency; gateway logs.
assert_eq 401 "$(curl -sS -o /dev/null -w '%{http_code}' "$KEEPTRUSTS_API_URL/metrics")" "API /metrics needs the token"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "burst not settled"
A=$(api_metrics)
promtool_ok "$A" "API"
b=$(balance team_engineering)
for f in budget spent reserved leased remaining; do
  assert_eq "$(grep -o "\"$f\":[0-9.e-]*" <<<"$b" | cut -d: -f2)" "$(metric "$A" "kt_wallet_${f}_usd{team=\"team_engineering\"}")" "API kt_wallet_${f}_usd"
done
[ "$(metric "$A" 'kt_api_requests_total{code="200",method="POST",route="/v1/gateway/log"}')" -gt 0 ] &&
  pass "log batches counted by route and status" || fail "kt_api_requests_total for /v1/gateway/log missing"
assert_eq 1 "$(metric "$A" 'kt_api_requests_total{code="401",method="GET",route="/metrics"}')" "the refused scrape counted"
[ "$(metric "$A" kt_api_store_call_duration_seconds_count)" -gt 0 ] && pass "store call latency" || fail "store call histogram empty"
assert_eq 2 "$(metric "$A" kt_gateway_logs_open)" "one open log per gateway worker"
assert_eq 2 "$(grep -c '^kt_gateway_log_report_age_seconds{log="gw_' <<<"$A")" "each open log's report age"

# metrics.token_env: the gateway's /metrics needs that token; lint knows the key; a missing variable stops the start.
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
cp "$WORK/policy-config.yaml" "$WORK/locked.yaml"
printf 'metrics:\n  token_env: KT_IT_METRICS_TOKEN\n' >>"$WORK/locked.yaml"
"$KT" policy lint --file "$WORK/locked.yaml" >/dev/null && pass "lint accepts metrics.token_env" || fail "lint refused metrics.token_env"
printf 'metrics:\n  token_evn: X\n' >"$WORK/typo.yaml.part"
cat "$WORK/policy-config.yaml" "$WORK/typo.yaml.part" >"$WORK/typo.yaml"
assert_contains "$("$KT" policy lint --file "$WORK/typo.yaml" 2>&1 || true)" "did you mean 'token_env'" "lint: a typo under metrics"
out=$(OPENAI_BASE_URL="$MOCK_URL/v1" "$KT" gateway run --policy-config "$WORK/locked.yaml" --listen "127.0.0.1:$(free_port)" \
  --spool-dir "$WORK/spool" 2>&1 || true)
assert_contains "$out" "KT_IT_METRICS_TOKEN is not set" "the gateway does not start with its metrics token unset"
export KT_IT_METRICS_TOKEN=metrics-secret-$$
start_gateway "$WORK/locked.yaml"
assert_eq 401 "$(curl -sS -o /dev/null -w '%{http_code}' "$GW_URL/metrics")" "gateway /metrics without the token"
assert_eq 401 "$(curl -sS -o /dev/null -w '%{http_code}' "$GW_URL/metrics" -H "Authorization: Bearer $ENG")" "a consumer key is not the metrics token"
assert_eq 200 "$(curl -sS -o /dev/null -w '%{http_code}' "$GW_URL/metrics" -H "Authorization: Bearer $KT_IT_METRICS_TOKEN")" "gateway /metrics with the token"
assert_eq 0 "$(metric "$(curl -sS "$GW_URL/metrics" -H "Authorization: Bearer $KT_IT_METRICS_TOKEN")" 'kt_refusals_total{reason="auth_failed"}')" \
  "refused scrapes are not consumer-key failures"
assert_eq 405 "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$GW_URL/metrics")" "POST /metrics is 405"
finish
