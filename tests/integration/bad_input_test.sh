#!/usr/bin/env bash
# Bad input: each gets a clear JSON error with the right status, and no balance changes.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 5
start_example_gateway
before=$(balance team_engineering)
hits=$(mock_hits)
KEY=kt_cg_engineering_abc123

expect() {  # status type output message
  local status body
  status=$(tail -n1 <<<"$3")
  body=$(head -n -1 <<<"$3")
  assert_eq "HTTP $1" "$status" "$4: status"
  assert_eq "$2" "$(jq -r .error.type <<<"$body" 2>/dev/null)" "$4: error type"
  [ -n "$(jq -r .error.message <<<"$body" 2>/dev/null)" ] || fail "$4: no error message"
}
gw_raw() { curl -sS -w "\nHTTP %{http_code}\n" "$GW_URL/v1/chat/completions" -H "X-Consumer-Group: $KEY" -H "Content-Type: application/json" "$@"; }
api_raw() { curl -sS -w "\nHTTP %{http_code}\n" "$@"; }

expect 400 invalid_request_error "$(gw_raw -d '{"model": "gpt-4o-mini", "messages": [')" "gateway: malformed JSON"
expect 400 invalid_request_error "$(gw_raw -d '{"messages":[{"role":"user","content":"hi"}]}')" "gateway: missing model"
expect 400 invalid_request_error "$(gw_raw -d '{"model":"gpt-4o-mini"}')" "gateway: missing messages"
head -c 5000000 /dev/zero | tr '\0' 'a' >"$WORK/big.txt"
expect 413 invalid_request_error "$(gw_raw --data-binary @"$WORK/big.txt")" "gateway: body over the size limit"
KEY=kt_cg_nobody_000000 expect 401 authentication_error "$(KEY=kt_cg_nobody_000000; gw_raw -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}')" "gateway: unknown consumer key"
expect 404 not_found_error "$(curl -sS -w "\nHTTP %{http_code}\n" "$GW_URL/v1/unknown" -H "X-Consumer-Group: $KEY" -d '{}')" "gateway: unknown route is not forwarded"

A=(-H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" -H "Content-Type: application/json")
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/wallets/allocate" "${A[@]}" -d '{"team_id":"team_engineering","amount":-5}')" "allocate: negative amount"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/wallets/allocate" "${A[@]}" -d '{"team_id":"team_engineering","amount":"abc"}')" "allocate: non-numeric amount"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/wallets/allocate" "${A[@]}" -d '{"team_id":"team_engineering"}')" "allocate: missing amount"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/wallets/allocate" "${A[@]}" -d '{"team_id":"team_engineering","amount":5,')" "allocate: malformed JSON"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/model-pricing" "${A[@]}" -d '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":"NaN","output_cost_per_1k_tokens":0.0006}')" "pricing: NaN price"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/model-pricing" "${A[@]}" -d '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":NaN,"output_cost_per_1k_tokens":0.0006}')" "pricing: bare NaN literal"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/model-pricing" "${A[@]}" -d '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":-0.1,"output_cost_per_1k_tokens":0.0006}')" "pricing: negative price"
expect 400 invalid_request_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/model-pricing" "${A[@]}" -d '{"model":"gpt-4o-mini","provider":"openai","output_cost_per_1k_tokens":0.0006}')" "pricing: missing input price"
expect 401 authentication_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/wallets" )" "api: missing admin token"
expect 401 authentication_error "$(api_raw "$KEEPTRUSTS_API_URL/v1/wallets" -H "Authorization: Bearer wrong")" "api: wrong admin token"
assert_eq "0.00015" "$(api GET /v1/model-pricing | jq -r '.[0].input_cost_per_1k_tokens')" "pricing unchanged by the refused updates"

# Config typo: lint names the line and suggests the key.
sed 's/wallet_enforcement:/wallet_enforcment:/' "$WORK/policy-config.yaml" >"$WORK/typo.yaml"
out=$("$KT" policy lint --file "$WORK/typo.yaml" 2>&1) && fail "lint accepted a typo"
line=$(grep -n wallet_enforcment "$WORK/typo.yaml" | cut -d: -f1)
assert_contains "$out" "typo.yaml:$line:" "lint: the typo's line"
assert_contains "$out" "wallet_enforcement" "lint: did-you-mean"
json=$("$KT" policy lint --file "$WORK/typo.yaml" --json) || true
assert_eq "false $line" "$(jq -r '"\(.valid) \(.errors[0].line)"' <<<"$json")" "lint --json: invalid with the line"

assert_eq "$before" "$(balance team_engineering)" "no balance changed"
assert_eq "$hits" "$(mock_hits)" "nothing reached the upstream"

# Upstream 5xx: passed on, reservation released.
out=$(gw_raw -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"fail please [mock:status=503]"}]}')
assert_eq "HTTP 503" "$(tail -n1 <<<"$out")" "upstream 503 passed on"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "upstream 5xx: reservation not released"
assert_eq "0" "$(balance team_engineering | jq -r .spent)" "upstream 5xx: nothing charged"

# Upstream unreachable: 502, reservation released.
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
out=$(gw_raw -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}')
assert_eq "HTTP 502" "$(tail -n1 <<<"$out")" "upstream unreachable: 502"
assert_eq "upstream_error" "$(head -n -1 <<<"$out" | jq -r .error.type)" "upstream unreachable: error type"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "upstream unreachable: reservation not released"
assert_eq "$before" "$(balance team_engineering)" "upstream failures changed no balance"
finish
