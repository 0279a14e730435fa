#!/usr/bin/env bash
# No input takes kt down. Against both servers: protocol abuse, slow senders and connection floods
# (http_abuse.py, raw sockets), wrong methods on every route, unknown and traversal paths,
# malformed and hostile bodies, bodies at and past the size limits (curl). Every case gets a 4xx
# JSON error envelope or a closed connection. Afterwards both processes still answer, wallets,
# prices and events are unchanged except for the documented refusals (a decision event per body
# the gateway refused, one auth_failed event per minute for the 401s), the upstream was never
# hit, and no secret is in any answer or log.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 is required (Debian: python3)" >&2; exit 1; }

# Short timeouts so the slow-sender cases take seconds; the body limits are the defaults.
LIMITS=(--header-timeout 1 --body-timeout 1 --idle-timeout 2)
GW_MAX_CONN=30 API_MAX_CONN=40
start_mock_and_api "sqlite:$WORK/kt.db" "${LIMITS[@]}" --max-connections "$API_MAX_CONN"
allocate team_engineering 5
allocate team_marketing 1
start_example_gateway --threads 1 "${LIMITS[@]}" --max-connections "$GW_MAX_CONN"
KEY=kt_cg_engineering_abc123
ANSWERS=$WORK/answers.txt
GW_AUTH=(-H "X-Consumer-Group: $KEY")
API_AUTH=(-H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")

state() {
  balance team_engineering; balance team_marketing; api GET '/v1/wallets?forecast=false'
  api GET "/v1/model-pricing?include=scheduled"; api GET /v1/consumer-groups; api GET /v1/tokens
}
events() { api GET "/v1/events?last=10000&type=all"; }
before_state=$(state)
before_events=$(events | jq length)
hits=$(mock_hits)
CASES=0 EXPECTED_EVENTS=0 GW_401=0 started=$SECONDS

# ---------------------------------------------------------------- raw sockets (what curl cannot send)
export GW_PORT API_PORT GW_KEY=$KEY API_TOKEN=$KEEPTRUSTS_API_TOKEN ANSWERS GW_MAX_CONN API_MAX_CONN
export HEADER_TIMEOUT=1 BODY_TIMEOUT=1 IDLE_TIMEOUT=2 GW_BODY_LIMIT=$((4 << 20)) API_BODY_LIMIT=$((16 << 20))
python3 "$(dirname "$0")/http_abuse.py" >"$WORK/raw.txt" 2>&1 || true
cat "$WORK/raw.txt"
FAILS=$((FAILS + $(grep -c '^FAIL' "$WORK/raw.txt" || true)))
summary=$(grep '^summary ' "$WORK/raw.txt" || true)
[ -n "$summary" ] || fail "http_abuse.py did not finish"
CASES=$((CASES + $(sed -n 's/.*cases=\([0-9]*\).*/\1/p' <<<"$summary")))
GW_401=$((GW_401 + $(sed -n 's/.*gateway_401=\([0-9]*\).*/\1/p' <<<"$summary")))

# ---------------------------------------------------------------- curl cases
# probe WANT NAME CURL-ARGS...: WANT is a status or 4xx; the answer must carry the envelope (and a
# 405 its Allow header). Every answer, head and body, is kept for the secrets check.
probe() {
  local want=$1 name=$2 code
  shift 2
  code=$(curl -sS --path-as-is -o "$WORK/body" -D "$WORK/head" -w '%{http_code}' "$@" 2>"$WORK/curl.err") ||
    code="curl failed: $(cat "$WORK/curl.err")"
  cat "$WORK/head" "$WORK/body" >>"$ANSWERS" 2>/dev/null; echo >>"$ANSWERS"
  CASES=$((CASES + 1))
  if [[ $want == 4xx && $code != 4[0-9][0-9] ]] || [[ $want != 4xx && $code != "$want" ]]; then
    fail "$name: status $code, expected $want: $(head -c 300 "$WORK/body" 2>/dev/null)"
  elif ! jq -e '.error | (.message | type == "string" and length > 0) and (.type | type == "string") and (.code | type == "string")' \
    "$WORK/body" >/dev/null 2>&1; then
    fail "$name: no error envelope: $(head -c 300 "$WORK/body")"
  elif [[ $code == 405 ]] && ! grep -qi '^allow: ' "$WORK/head"; then
    fail "$name: a 405 without an Allow header"
  else
    pass "$name -> $code"
  fi
}
# A body the gateway refuses after reading it (valid key, priced route): one decision event each.
gw_body() {  # WANT NAME BODY [ROUTE]
  probe "$1" "gateway body: $2" "$GW_URL${4:-/v1/chat/completions}" "${GW_AUTH[@]}" -H "Content-Type: application/json" --data-binary "$3"
  EXPECTED_EVENTS=$((EXPECTED_EVENTS + 1))
}
# The same with bytes bash cannot hold (NUL, invalid UTF-8): BODY is a printf %b string.
gw_bytes() {  # WANT NAME PRINTF-BODY [ROUTE]
  printf '%b' "$3" >"$WORK/req"
  probe "$1" "gateway body: $2" "$GW_URL${4:-/v1/chat/completions}" "${GW_AUTH[@]}" --data-binary @"$WORK/req"
  EXPECTED_EVENTS=$((EXPECTED_EVENTS + 1))
}
api_body() {  # WANT NAME PATH BODY
  probe "$1" "api body: $2" "$KEEPTRUSTS_API_URL$3" "${API_AUTH[@]}" -H "Content-Type: application/json" --data-binary "$4"
}
api_bytes() {  # WANT NAME PATH PRINTF-BODY
  printf '%b' "$4" >"$WORK/req"
  probe "$1" "api body: $2" "$KEEPTRUSTS_API_URL$3" "${API_AUTH[@]}" --data-binary @"$WORK/req"
}

# Wrong methods on every route (405 before the key is looked at, with Allow).
for p in /v1/chat/completions /chat/completions /v1/completions /completions /v1/embeddings /embeddings \
  /v1/responses /responses /v1/messages /messages; do
  for m in GET PUT DELETE PATCH; do probe 405 "gateway $m $p" -X "$m" "$GW_URL$p"; done
done
for p in /v1/models /models; do
  for m in POST PUT DELETE; do probe 405 "gateway $m $p" -X "$m" "$GW_URL$p" "${GW_AUTH[@]}"; done
done
API_ROUTES=("POST GET|/v1/model-pricing" "POST|/v1/wallets/allocate" "POST|/v1/wallets/credit" "GET|/v1/wallets/balance"
  "GET|/v1/wallets" "POST|/v1/gateway/ledger" "POST|/v1/gateway/wallets/reserve" "POST|/v1/gateway/wallets/settle"
  "POST|/v1/gateway/wallets/release" "POST GET|/v1/consumer-groups" "POST GET|/v1/gateway/consumer-groups"
  "POST|/v1/events/batch" "GET|/v1/events" "GET|/v1/spend" "POST GET|/v1/tokens" "DELETE|/v1/tokens/tok_probe"
  "POST|/v1/tokens/tok_probe/revoke")
for route in "${API_ROUTES[@]}"; do
  allowed=${route%%|*} p=${route#*|}
  for m in GET POST PUT DELETE PATCH; do
    [[ " $allowed " == *" $m "* ]] || probe 405 "api $m $p" -X "$m" "$KEEPTRUSTS_API_URL$p" "${API_AUTH[@]}"
  done
done
probe 401 "api PUT /v1/wallets without the token (the token is checked first)" -X PUT "$KEEPTRUSTS_API_URL/v1/wallets"

# Unknown, traversal and odd paths: 404 (the gateway never forwards an unpriced route), 431 past the head limit.
long=$(printf 'a%.0s' {1..12000})
for p in /v1/unknown /v1/chat/completions/ /v1/../v1/chat/completions /v1/chat/completions/../../health \
  /v1/%2e%2e/v1/chat/completions /%2e%2e/%2e%2e/etc/passwd //v1/chat/completions /v1//chat/completions \
  /v1/chat%2Fcompletions /V1/CHAT/COMPLETIONS "/v1/chat/completions;x=1" /v1/chat/completions%00 \
  /v1/chat/completions%20 /..%2f..%2fhealth /health/../v1/models "/$long"; do
  probe 404 "gateway POST ${p:0:60}" "$GW_URL$p" "${GW_AUTH[@]}" --data-binary '{}'
done
for p in /v1/wallets/../wallets //v1/wallets /v1/wallets/ /V1/WALLETS /v1/%2e%2e/v1/wallets /v1/wallets%00 /admin \
  /v1/wallets/balance/../../model-pricing /.env "/$long"; do
  probe 404 "api GET ${p:0:60}" "$KEEPTRUSTS_API_URL$p" "${API_AUTH[@]}"
done
probe 401 "api GET /admin without the token" "$KEEPTRUSTS_API_URL/admin"
probe 431 "gateway path of 20 KB" "$GW_URL/$long$long" "${GW_AUTH[@]}"
probe 431 "api path of 20 KB" "$KEEPTRUSTS_API_URL/$long$long" "${API_AUTH[@]}"

# Gateway bodies: malformed JSON, wrong types for every field it reads, huge numbers, deep
# nesting, invalid UTF-8, NUL bytes; refused with 400 (402 for a worst case no wallet covers).
M='"messages":[{"role":"user","content":"hi"}]'
gw_body 400 "truncated JSON" '{"model": "gpt-4o-mini", "messages": ['
gw_body 400 "not JSON" 'not json'
gw_body 400 "empty body" ''
gw_body 400 "a JSON array" '[]'
gw_body 400 "a JSON string" '"gpt-4o-mini"'
gw_body 400 "JSON null" 'null'
gw_body 400 "single quotes" "{'model':'gpt-4o-mini'}"
gw_body 400 "trailing garbage" "{\"model\":\"gpt-4o-mini\",$M} trailing"
gw_body 400 "two documents" "{\"model\":\"gpt-4o-mini\",$M}{}"
for v in 7 true null '["gpt-4o-mini"]' '{"id":"gpt-4o-mini"}' '""'; do gw_body 400 "model: $v" "{\"model\":$v,$M}"; done
for v in '"hi"' 5 '{}' null '[]' '["hi"]' '[5]' '[[]]'; do gw_body 400 "messages: $v" "{\"model\":\"gpt-4o-mini\",\"messages\":$v}"; done
for v in '{"content":"hi"}' '{"role":5,"content":"hi"}' '{"role":null}' '{"role":["user"]}'; do
  gw_body 400 "message: $v" "{\"model\":\"gpt-4o-mini\",\"messages\":[$v]}"
done
for k in max_tokens max_completion_tokens; do
  for v in '"10"' -1 0 1.5 true '[]' '{}' 1e400 -1e400 99999999999999999999 -99999999999999999999; do
    gw_body 400 "$k: $v" "{\"model\":\"gpt-4o-mini\",$M,\"$k\":$v}"
  done
done
gw_body 400 "max_tokens: 2^63-1 (absurd: refused before pricing)" "{\"model\":\"gpt-4o-mini\",$M,\"max_tokens\":9223372036854775807}"
gw_body 400 "10,000 nested arrays" "$(printf '[%.0s' {1..10000})"
gw_body 400 "messages nested 10,000 deep" "{\"model\":\"gpt-4o-mini\",\"messages\":$(printf '[%.0s' {1..10000})$(printf ']%.0s' {1..10000})}"
gw_body 400 "10,000 nested objects" "$(printf '{"a":%.0s' {1..10000})"
gw_body 400 "a lone surrogate escape" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"\ud800"}]}'
gw_bytes 400 "invalid UTF-8 in a string" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a\xff\xfeb"}]}'
gw_bytes 400 "invalid UTF-8 in a key" '{"mo\xc3del":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
gw_bytes 400 "overlong UTF-8" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"\xc0\xaf"}]}'
gw_bytes 400 "NUL inside a string" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a\x00b"}]}'
gw_bytes 400 "NUL after the document" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}\x00'
gw_bytes 400 "NUL bytes only" '\x00\x00\x00\x00'
gw_bytes 400 "control byte inside a string" '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a\x01b"}]}'
# Duplicate keys: only "a 4xx envelope" is asserted (the billing-integrity work makes them 400 duplicate_key).
gw_body 4xx "duplicate max_tokens" "{\"model\":\"gpt-4o-mini\",$M,\"max_tokens\":5,\"max_tokens\":-1}"
gw_body 4xx "duplicate model" "{\"model\":\"gpt-4o-mini\",\"model\":7,$M}"
gw_body 4xx "duplicate messages" "{\"model\":\"gpt-4o-mini\",$M,\"messages\":\"hi\"}"
# The other priced routes.
for b in '{"model":"gpt-4o-mini"}' '{"model":"gpt-4o-mini","prompt":5}' '{"model":"gpt-4o-mini","prompt":[1,2,3]}' \
  '{"model":"gpt-4o-mini","prompt":"hi","max_tokens":"x"}' '{"model":7,"prompt":"hi"}' '[]'; do
  gw_body 400 "completions $b" "$b" /v1/completions
done
for b in '{"model":"gpt-4o-mini"}' '{"model":"gpt-4o-mini","input":[[1,2]]}' '{"model":"gpt-4o-mini","input":{}}' \
  '{"model":"gpt-4o-mini","input":[]}' '{"input":"hi"}'; do
  gw_body 400 "embeddings $b" "$b" /v1/embeddings
done
for b in '{"model":"gpt-4o-mini"}' '{"model":"gpt-4o-mini","input":5}' '{"model":"gpt-4o-mini","input":"hi","max_output_tokens":0}' \
  '{"model":"gpt-4o-mini","input":[]}'; do
  gw_body 400 "responses $b" "$b" /v1/responses
done
for b in '{"model":"claude-x","messages":[{"role":"user","content":"x"}]}' '{"model":"claude-x","messages":"x","max_tokens":5}' \
  '{"model":"claude-x","messages":[{"content":"x"}],"max_tokens":5}' '{"model":"claude-x","messages":[],"max_tokens":5}'; do
  gw_body 400 "messages $b" "$b" /v1/messages
done

# API bodies: nothing changes.
W=/v1/wallets/allocate
for b in '{"team_id":"team_engineering","amount":5,' '[]' 'null' '{"team_id":"team_engineering","amount":-5}' \
  '{"team_id":"team_engineering","amount":"abc"}' '{"team_id":"team_engineering","amount":1e400}' \
  '{"team_id":"team_engineering","amount":99999999999999999999}' '{"team_id":"team_engineering","amount":0.0000000001}' \
  '{"team_id":"team_engineering","amount":true}' '{"team_id":"team_engineering"}' '{"team_id":5,"amount":1}' \
  '{"team_id":null,"amount":1}' '{"team_id":"","amount":1}' '{"team_id":"team_engineering","amount":1,"bogus":1}' \
  '{"team_id":"team_engineering","amount":1,"period":7}' '{"team_id":"team_engineering","amount":1,"period":"yearly"}' \
  '{"team_id":"team_engineering","amount":1,"timezone":"Mars/Base"}' '{"team_id":"team_engineering","amount":1,"currency":"EUR"}'; do
  api_body 400 "allocate $b" "$W" "$b"
done
api_body 4xx "allocate duplicate amount" "$W" '{"team_id":"team_engineering","amount":5,"amount":-1}'
api_body 400 "allocate 10,000 nested arrays" "$W" "$(printf '[%.0s' {1..10000})"
api_bytes 400 "allocate invalid UTF-8" "$W" '{"team_id":"team_\xff","amount":1}'
api_bytes 400 "allocate NUL inside a string" "$W" '{"team_id":"team\x00x","amount":1}'
api_bytes 400 "allocate NUL after the document" "$W" '{"team_id":"team_engineering","amount":1}\x00'
for b in '{"team_id":"team_engineering","amount":0}' '{"team_id":"team_engineering","amount":-1}' '{"team_id":"team_engineering","amount":"x"}' \
  '{"amount":1}' '{"team_id":"team_engineering","amount":1e400}'; do
  api_body 400 "credit $b" /v1/wallets/credit "$b"
done
api_body 404 "credit a team without a wallet" /v1/wallets/credit '{"team_id":"nobody","amount":1}'
P='"model":"gpt-4o-mini","provider":"openai"'
for b in "{$P,\"input_cost_per_1k_tokens\":\"NaN\",\"output_cost_per_1k_tokens\":0.0006}" \
  "{$P,\"input_cost_per_1k_tokens\":-0.1,\"output_cost_per_1k_tokens\":0.0006}" "{$P,\"output_cost_per_1k_tokens\":0.0006}" \
  "{$P,\"input_cost_per_1k_tokens\":1e400,\"output_cost_per_1k_tokens\":0.0006}" \
  "{$P,\"input_cost_per_1k_tokens\":0.1,\"output_cost_per_1k_tokens\":99999999999999999999}" \
  '{"model":"","provider":"openai","input_cost_per_1k_tokens":0.1,"output_cost_per_1k_tokens":0.1}' \
  '{"model":"x","provider":5,"input_cost_per_1k_tokens":0.1,"output_cost_per_1k_tokens":0.1}' \
  "{$P,\"input_cost_per_1k_tokens\":0.1,\"output_cost_per_1k_tokens\":0.1,\"max_output_tokens\":-5}" \
  "{$P,\"input_cost_per_1k_tokens\":0.1,\"output_cost_per_1k_tokens\":0.1,\"effective_from\":\"garbage\"}"; do
  api_body 400 "pricing $b" /v1/model-pricing "$b"
done
api_body 409 "pricing rewriting history" /v1/model-pricing "{$P,\"input_cost_per_1k_tokens\":0.1,\"output_cost_per_1k_tokens\":0.1,\"effective_from\":0}"
api_body 4xx "pricing duplicate price" /v1/model-pricing "{$P,\"input_cost_per_1k_tokens\":0.1,\"output_cost_per_1k_tokens\":0.1,\"output_cost_per_1k_tokens\":-1}"
for b in '{"ops":"x"}' '{"ops":[{}]}' '{"ops":[{"op":"bogus","key":"k","team_id":"team_engineering"}]}' \
  '{"ops":[{"op":"reserve","key":"k","team_id":"team_engineering","amount":-1}]}' "$(printf '[%.0s' {1..10000})"; do
  api_body 400 "ledger ${b:0:60}" /v1/gateway/ledger "$b"
done
for r in reserve settle release; do api_body 400 "wallets/$r {}" "/v1/gateway/wallets/$r" '{}'; done
for b in 'not json' $'{"id":"evt_would_be_kept","type":"decision"}\n[[[' $'{"id":"evt_would_be_kept","type":"decision"}\n{"type":"decision"}'; do
  api_body 400 "events batch ${b:0:40}" /v1/events/batch "$b"
done
for b in '{"groups":5}' '{"groups":[{"name":5}]}' '{"groups":[{"name":"a"}]}' '[]'; do
  api_body 400 "consumer-groups $b" /v1/consumer-groups "$b"
done
for b in '{"name":"x"}' '{"scope":"viewer"}' '{"name":"x","scope":"root"}' '{"name":5,"scope":"viewer"}' \
  '{"name":"","scope":"viewer"}' '{"name":"a\u0000b","scope":"viewer"}' '{"name":"x","scope":"viewer","extra":1}' '[]'; do
  api_body 400 "tokens $b" /v1/tokens "$b"
done
api_body 404 "revoke an unknown token" /v1/tokens/tok_nobody/revoke ''
for p in /v1/tokens/ /v1/tokens/a.b /v1/tokens//revoke /v1/tokens/x/y/revoke; do
  probe 404 "api DELETE $p" -X DELETE "$KEEPTRUSTS_API_URL$p" "${API_AUTH[@]}"
done
for q in "/v1/wallets/balance" "/v1/wallets/balance?team_id=" "/v1/events?last=0" "/v1/events?last=abc" "/v1/events?type=bogus" \
  "/v1/model-pricing?at=garbage" "/v1/model-pricing?at=99999999999999999999" "/v1/spend?team=team_engineering&period=2026-13"; do
  probe 400 "api GET $q" "$KEEPTRUSTS_API_URL$q" "${API_AUTH[@]}"
done
probe 404 "api GET a balance without a wallet" "$KEEPTRUSTS_API_URL/v1/wallets/balance?team_id=nobody" "${API_AUTH[@]}"

# Bodies at and past the documented limits: 4 MiB (gateway) and 16 MiB (API).
head -c $((4 << 20)) /dev/zero | tr '\0' 'a' >"$WORK/4m"
gw_body 400 "exactly 4 MiB (not too large, not JSON)" @"$WORK/4m"
printf 'b' >>"$WORK/4m"
probe 413 "gateway body of 4 MiB + 1" "$GW_URL/v1/chat/completions" "${GW_AUTH[@]}" --data-binary @"$WORK/4m"
head -c $((16 << 20)) /dev/zero | tr '\0' 'a' >"$WORK/16m"
api_body 400 "exactly 16 MiB (not too large, not NDJSON)" /v1/events/batch @"$WORK/16m"
printf 'b' >>"$WORK/16m"
probe 413 "api body of 16 MiB + 1" "$KEEPTRUSTS_API_URL/v1/events/batch" "${API_AUTH[@]}" --data-binary @"$WORK/16m"

# The 401s last, all within seconds of each other: their one aggregated event is pushed when the gateway stops.
for k in kt_cg_nobody_000000 "${KEY:0:-1}" "${KEY}x" "$(tr a-z A-Z <<<"$KEY")" "$KEEPTRUSTS_API_TOKEN"; do
  probe 401 "gateway key ${k:0:12}..." "$GW_URL/v1/chat/completions" -H "X-Consumer-Group: $k" --data-binary "{\"model\":\"gpt-4o-mini\",$M}"
  probe 401 "gateway bearer ${k:0:12}..." "$GW_URL/v1/embeddings" -H "Authorization: Bearer $k" --data-binary '{}'
  GW_401=$((GW_401 + 2))
done
probe 401 "gateway without a key" "$GW_URL/v1/chat/completions" --data-binary "{\"model\":\"gpt-4o-mini\",$M}"
probe 401 "gateway /v1/models without a key" "$GW_URL/v1/models"
GW_401=$((GW_401 + 2))
echo "$CASES cases in $((SECONDS - started)) s"
[ "$CASES" -ge 150 ] || fail "only $CASES cases"

# ---------------------------------------------------------------- afterwards
curl -fsS "$GW_URL/health" >/dev/null && pass "gateway still answers /health" || fail "gateway does not answer /health"
curl -fsS "$KEEPTRUSTS_API_URL/health" >/dev/null && pass "api still answers /health" || fail "api does not answer /health"
assert_eq "$before_state" "$(state)" "wallets, prices and consumer groups unchanged"
assert_eq "$hits" "$(mock_hits)" "the upstream was never hit"
kill -TERM "$GW_PID"
wait "$GW_PID" 2>/dev/null || true  # a stopping gateway pushes its open window of auth failures
all=$(events)
new=$(jq --argjson n "$before_events" '.[$n:]' <<<"$all")  # oldest first
refused=$(jq '[.[] | select(.reason != "auth_failed")]' <<<"$new")
assert_eq "$EXPECTED_EVENTS" "$(jq length <<<"$refused")" "one decision event per body the gateway refused"
assert_eq "0" "$(jq '[.[] | select(.decision != "block" or .status < 400 or .status > 499)] | length' <<<"$refused")" \
  "each of them a 4xx block"
auth=$(jq '[.[] | select(.reason == "auth_failed")]' <<<"$new")
assert_eq "$GW_401" "$(jq '[.[].count] | add // 0' <<<"$auth")" "the auth_failed events count every 401"
[ "$(jq length <<<"$auth")" -ge 1 ] && [ "$(jq length <<<"$auth")" -le 2 ] && pass "$GW_401 401s stored as $(jq length <<<"$auth") event(s)" ||
  fail "the $GW_401 401s became $(jq length <<<"$auth") events"
assert_eq '["127.0.0.1"]' "$(jq -c '[.[].source_ip] | unique' <<<"$auth")" "auth_failed events name the source"
echo "$all" >>"$ANSWERS"

for secret in "$KEEPTRUSTS_API_TOKEN" "$OPENAI_API_KEY" kt_cg_engineering_abc123 kt_cg_marketing_def456 kt_cg_nobody_000000; do
  grep -qF -- "$secret" "$ANSWERS" && fail "a secret (${secret:0:6}...) is in an answer"
  grep -qF -- "$secret" "$WORK/api.log" "$WORK/gateway.log" && fail "a secret (${secret:0:6}...) is in a log"
done
pass "no secret in $(wc -c <"$ANSWERS") bytes of answers nor in the logs"
echo "$CASES cases, $((SECONDS - started)) s"
finish
