#!/usr/bin/env bash
# Least privilege: scoped API tokens made with `kt tokens create`. A viewer reads balances, spend
# and events but gets 403 insufficient_scope on allocate, credit and price writes (decided from the
# head, nothing changed); a gateway running with a gateway token serves and bills exactly, and its
# api.seed_prices attempt gets 403 with a warning while it goes on serving. Revoking its token
# makes it fail closed within 5 s (503, even with a budget lease in hand), on this API and on a
# second API replica; a re-created token and a restarted gateway ship what the first one owed,
# so spent is exactly the served requests. No token appears in any log or answer but its creation
# answer, and the database holds only its SHA-256.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 is required (Debian: python3)" >&2; exit 1; }
start_mock
start_api "sqlite:$WORK/kt.db"
API_A=$KEEPTRUSTS_API_URL
seed_pricing
allocate team_engineering 10.00
ANSWERS=$WORK/answers.txt  # every answer but the creation ones, for the secrets check
HAIKU='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
HAIKU_COST=0.0000171  # 14 prompt + 25 completion tokens of gpt-4o-mini

# as TOKEN METHOD PATH [JSON] [API URL]: prints "STATUS BODY" (the answer kept for the secrets check).
as() {
  local token=$1 method=$2 path=$3 body=${4:-} url=${5:-$API_A} out
  local args=(-sS -X "$method" "$url$path" -H "Authorization: Bearer $token" -w ' %{http_code}')
  [ -n "$body" ] && args+=(-H "Content-Type: application/json" -d "$body")
  out=$(curl "${args[@]}")
  echo "$out" >>"$ANSWERS"
  echo "${out##* } ${out% *}"
}
status_of() { as "$@" | cut -d' ' -f1; }
# spent_is N: the team's spent is exactly N haikus (decimal arithmetic, never floats).
spent_is() {
  balance team_engineering | python3 -c "
import json, sys
from decimal import Decimal
sys.exit(0 if json.load(sys.stdin, parse_float=Decimal)['spent'] == Decimal('$HAIKU_COST') * $1 else 1)"
}

# ------------------------------------------------------------------ kt tokens create / list
VIEWER=$("$KT" tokens create --name dash --scope viewer 2>"$WORK/create.err") || fail "kt tokens create (viewer) failed"
GW1=$("$KT" tokens create --name gw-a --scope gateway 2>>"$WORK/create.err") || fail "kt tokens create (gateway) failed"
for t in "$VIEWER" "$GW1"; do
  [[ $t =~ ^kt_tok_[0-9a-f]{64}$ ]] && pass "a token is kt_tok_ + 64 hex digits" || fail "token format: [$t]"
done
assert_contains "$(cat "$WORK/create.err")" "shown only this once" "create says the token is shown once"
again=$("$KT" tokens create --name gw-a --scope viewer 2>&1) && fail "a second active 'gw-a' was made: $again"
assert_contains "$again" "named 'gw-a' exists" "an active name cannot be given twice (409)"
bad=$("$KT" tokens create --name x --scope root 2>&1) && fail "scope root accepted: $bad"
assert_eq "400" "$(status_of "$KEEPTRUSTS_API_TOKEN" POST /v1/tokens '{"name":"x","scope":"root"}' | cut -c1-3)" "an unknown scope is 400"
assert_eq "400" "$(status_of "$KEEPTRUSTS_API_TOKEN" POST /v1/tokens '{"name":"  ","scope":"viewer"}')" "a blank name is 400"
assert_eq "400" "$(status_of "$KEEPTRUSTS_API_TOKEN" POST /v1/tokens '{"name":"x","scope":"viewer","ttl":1}')" "an unknown field is 400"

list_json=$("$KT" tokens list --format json)
echo "$list_json" >>"$ANSWERS"
assert_eq "dash:viewer gw-a:gateway" "$(jq -r '[.tokens[] | "\(.name):\(.scope)"] | join(" ")' <<<"$list_json")" "kt tokens list --format json"
assert_eq "${GW1:0:15}" "$(jq -r '.tokens[] | select(.name == "gw-a") | .prefix' <<<"$list_json")" "the list shows the token's prefix"
assert_eq '["created_at","id","last_used_at","name","prefix","revoked_at","scope"]' \
  "$(jq -c '.tokens[0] | keys' <<<"$list_json")" "a listed token has no token and no hash"
GW1_ID=$(jq -r '.tokens[] | select(.name == "gw-a") | .id' <<<"$list_json")
table=$("$KT" tokens list)
echo "$table" >>"$ANSWERS"
assert_contains "$table" "LAST USED" "kt tokens list prints a table"
assert_contains "$table" "$GW1_ID" "the table lists the gateway token by id"

# ------------------------------------------------------------------ viewer: reads, never writes
for path in "/v1/wallets/balance?team_id=team_engineering" /v1/wallets /v1/spend "/v1/spend?team=team_engineering" \
  "/v1/events?last=5" /v1/model-pricing /v1/gateway/logs /v1/consumer-groups; do
  assert_eq "200" "$(status_of "$VIEWER" GET "$path")" "viewer GET $path"
done
spend=$(KEEPTRUSTS_API_TOKEN=$VIEWER "$KT" spend --team team_engineering) || fail "kt spend with the viewer token failed"
assert_contains "$spend" "Budget: \$10.00" "kt spend works with a viewer token"
KEEPTRUSTS_API_TOKEN=$VIEWER "$KT" events tail --last 5 --format json >/dev/null || fail "kt events tail with the viewer token failed"
before=$(api GET '/v1/wallets?forecast=false'; api GET /v1/model-pricing)
forbidden() {  # TOKEN SCOPE METHOD PATH [JSON]
  local out; out=$(as "$1" "$3" "$4" "${5:-}")
  assert_eq "403 insufficient_scope" "${out%% *} $(jq -r .error.code <<<"${out#* }")" "$2 $3 $4 -> 403"
}
forbidden "$VIEWER" viewer POST /v1/wallets/allocate '{"team_id":"team_engineering","amount":1000}'
forbidden "$VIEWER" viewer POST /v1/wallets/credit '{"team_id":"team_engineering","amount":1000}'
forbidden "$VIEWER" viewer POST /v1/model-pricing '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0,"output_cost_per_1k_tokens":0}'
forbidden "$VIEWER" viewer POST /v1/gateway/ledger '{"ops":[]}'
forbidden "$VIEWER" viewer POST /v1/events/batch '{}'
forbidden "$VIEWER" viewer POST /v1/consumer-groups '{"groups":[]}'
forbidden "$VIEWER" viewer POST /v1/tokens '{"name":"mine","scope":"admin"}'
forbidden "$VIEWER" viewer GET /v1/tokens
forbidden "$VIEWER" viewer DELETE "/v1/tokens/$GW1_ID"
forbidden "$GW1" gateway POST /v1/wallets/allocate '{"team_id":"team_engineering","amount":1000}'
forbidden "$GW1" gateway POST /v1/wallets/credit '{"team_id":"team_engineering","amount":1000}'
forbidden "$GW1" gateway POST /v1/model-pricing '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0,"output_cost_per_1k_tokens":0}'
forbidden "$GW1" gateway GET /v1/spend
forbidden "$GW1" gateway GET "/v1/events?last=5"
forbidden "$GW1" gateway GET /v1/tokens
msg=$(as "$VIEWER" POST /v1/wallets/allocate '{"team_id":"t","amount":1}' | cut -d' ' -f2- | jq -r .error.message)
assert_eq "a viewer token cannot POST /v1/wallets/allocate: it needs admin" "$msg" "the 403 says what scope is needed"
assert_eq "$before" "$(api GET '/v1/wallets?forecast=false'; api GET /v1/model-pricing)" "the refused writes changed nothing"
denied=$(KEEPTRUSTS_API_TOKEN=$VIEWER "$KT" tokens list 2>&1) && fail "a viewer listed tokens"
assert_contains "$denied" "HTTP 403" "kt tokens list with a viewer token fails with the API's 403"
assert_eq "401" "$(status_of "kt_tok_$(printf '0%.0s' {1..64})" GET /v1/wallets)" "an unknown kt_tok_ token is 401"
assert_eq "401" "$(status_of "${VIEWER}0" GET /v1/wallets)" "a token with a byte more is 401"
# The scope is decided from the head: the announced body is never sent, the 403 comes anyway.
head_only=$(python3 - "$API_PORT" "$VIEWER" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"POST /v1/wallets/allocate HTTP/1.1\r\nHost: kt\r\nAuthorization: Bearer " + sys.argv[2].encode() +
          b"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
print(s.recv(4096).split(b"\r\n", 1)[0].decode())
PY
)
assert_eq "HTTP/1.1 403 Forbidden" "$head_only" "403 before the body is read"

# ------------------------------------------------------------------ a gateway with a gateway token
write_config "$WORK/gw.yaml"
seed_config_prices "$WORK/gw.yaml" KT_GATEWAY_TOKEN
grep -q 'token_env: KT_GATEWAY_TOKEN' "$WORK/gw.yaml" || fail "the gateway config does not name KT_GATEWAY_TOKEN"
export KT_GATEWAY_TOKEN=$GW1
start_gateway "$WORK/gw.yaml" --threads 1
assert_contains "$(cat "$WORK/gateway.log")" "api.seed_prices: the API refused to write the price of 'gpt-4o' (HTTP 403" \
  "a seeding attempt with a gateway token gets 403 and a clear warning"
assert_eq "" "$(api GET /v1/model-pricing | jq -r '.[] | select(.model == "gpt-4o") | .model')" "no global price was written"
SERVED=0
for i in 1 2 3; do
  code=$(chat kt_cg_engineering_abc123 "$HAIKU" | tail -n1)
  assert_eq "HTTP 200" "$code" "request $i through the gateway token"
  [ "$code" = "HTTP 200" ] && SERVED=$((SERVED + 1))
done
# A burst (above 8 requests a second) so the worker holds a budget lease when the token goes.
burst=$(seq 1 40 | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$GW_URL/v1/chat/completions" \
  -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$HAIKU")
assert_eq "40" "$(grep -c '^200$' <<<"$burst")" "a burst of 40 served"
SERVED=$((SERVED + $(grep -c '^200$' <<<"$burst")))
eventually '[ "$(balance team_engineering | jq -r .leased)" != 0 ]' 5 && pass "the worker holds a budget lease" ||
  fail "no lease after the burst: $(balance team_engineering)"
eventually "spent_is $SERVED" 10 && pass "spent is exactly $SERVED × \$$HAIKU_COST" ||
  fail "spent $(balance team_engineering | jq -r .spent) for $SERVED requests"
eventually "[ \"\$(\"$KT\" tokens list --format json | jq -r '.tokens[] | select(.name == \"gw-a\") | .last_used_at')\" != null ]" 5 &&
  pass "the gateway token's last use is recorded" || fail "last_used_at not set for gw-a"

# A second API replica on the same database: it learns the tokens from the store.
B_PORT=$(free_port)
"$KT" api serve --listen "127.0.0.1:$B_PORT" --database "sqlite:$WORK/kt.db" >"$WORK/api-b.log" 2>&1 &
PIDS+=($!)
API_B="http://127.0.0.1:$B_PORT"
wait_http "$API_B/health"
eventually "[ \"\$(status_of \"$GW1\" GET /v1/model-pricing '' \"$API_B\")\" = 200 ]" 5 && pass "replica B accepts the gateway token" ||
  fail "replica B does not accept the gateway token"

# ------------------------------------------------------------------ revoke: fail closed within 5 s
revoked=$("$KT" tokens revoke "$GW1_ID") || fail "kt tokens revoke failed"
t0=$(date +%s.%N)
assert_contains "$revoked" "revoked API token $GW1_ID 'gw-a'" "kt tokens revoke says what it revoked"
assert_eq "401" "$(status_of "$GW1" GET /v1/model-pricing)" "replica A refuses the revoked token at once"
# Both polled from the revocation on: the gateway (a lease in hand) and replica B.
elapsed() { python3 -c "print(round($(date +%s.%N) - $t0, 2))"; }
first_503="" b_refused="" SERVED_LATE=0
while [ -z "$first_503" ] || [ -z "$b_refused" ]; do
  if [ -z "$first_503" ]; then
    code=$(chat kt_cg_engineering_abc123 "$HAIKU" | tail -n1)
    [ "$code" = "HTTP 503" ] && first_503=$(elapsed)
    [ "$code" = "HTTP 200" ] && SERVED_LATE=$((SERVED_LATE + 1))
  fi
  [ -z "$b_refused" ] && [ "$(status_of "$GW1" GET /v1/model-pricing '' "$API_B")" = 401 ] && b_refused=$(elapsed)
  python3 -c "import sys; sys.exit(0 if $(elapsed) < 8 else 1)" || break
  sleep 0.1
done
within5() { [ -n "$1" ] && python3 -c "import sys; sys.exit(0 if $1 <= 5 else 1)"; }
within5 "$first_503" && pass "the gateway fails closed ${first_503}s after the revocation (a lease in hand)" ||
  fail "no 503 within 5 s of the revocation (first: ${first_503:-none})"
within5 "$b_refused" && pass "replica B refuses the revoked token ${b_refused}s after the revocation" ||
  fail "replica B still accepted the revoked token 5 s later (${b_refused:-never refused})"
SERVED=$((SERVED + SERVED_LATE))
out=$(chat kt_cg_engineering_abc123 "$HAIKU")
assert_eq "HTTP 503" "$(tail -n1 <<<"$out")" "requests stay refused"
assert_eq "budget_service_unavailable" "$(head -n1 <<<"$out" | jq -r .error.code)" "503 budget_service_unavailable"
assert_contains "$(head -n1 <<<"$out" | jq -r .error.message)" "refuses this gateway's API token" "the 503 says why"
assert_contains "$(cat "$WORK/gateway.log")" "the API refuses this gateway's token (HTTP 401" "the gateway logs the refusal"
assert_eq "404" "$(status_of "$KEEPTRUSTS_API_TOKEN" DELETE /v1/tokens/tok_nobody)" "revoking an unknown id is 404"
assert_eq "200" "$(status_of "$KEEPTRUSTS_API_TOKEN" POST "/v1/tokens/$GW1_ID/revoke")" "revoking again is harmless"
assert_eq "404" "$(status_of "$KEEPTRUSTS_API_TOKEN" DELETE "/v1/tokens/tok.x")" "a path that is not an id is 404"

# ------------------------------------------------------------------ re-created: the restarted gateway catches up
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
GW2=$("$KT" tokens create --name gw-a --scope gateway 2>/dev/null) || fail "re-creating 'gw-a' failed"
export KT_GATEWAY_TOKEN=$GW2
mv "$WORK/gateway.log" "$WORK/gateway-1.log"
start_gateway "$WORK/gw.yaml" --threads 1
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$HAIKU" | tail -n1)" "the re-created token serves"
SERVED=$((SERVED + 1))
eventually "spent_is $SERVED" 15 && pass "spent is exactly the $SERVED served requests × \$$HAIKU_COST" ||
  fail "spent $(balance team_engineering | jq -r .spent), expected $SERVED × $HAIKU_COST"
eventually '[ "$(balance team_engineering | jq -r ".reserved + .leased")" = 0 ]' 10 && pass "nothing left reserved or leased" ||
  fail "holds left: $(balance team_engineering)"
assert_eq "$SERVED" "$(api GET "/v1/events?last=1000" | jq '[.[] | select(.status == 200)] | length')" "one 200 event per served request"

# ------------------------------------------------------------------ no token anywhere but its creation answer
hits=$(cat "$WORK"/*.log "$ANSWERS" | grep -cF -- "$KEEPTRUSTS_API_TOKEN" || true)
assert_eq "0" "$hits" "the admin token is in no log and no answer"
for t in "$VIEWER" "$GW1" "$GW2"; do
  hits=$(cat "$WORK"/*.log "$ANSWERS" | grep -cF -- "$t" || true)
  assert_eq "0" "$hits" "token ${t:0:15}… is in no log and no answer"
  assert_eq "0" "$(grep -caF -- "${t:15}" "$WORK/kt.db" "$WORK/kt.db-wal" 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')" \
    "token ${t:0:15}… is not in the database files"
done
stored=$(python3 - "$WORK/kt.db" "$VIEWER" "$GW1" "$GW2" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = {h: p for h, p in db.execute("SELECT token_hash, prefix FROM api_tokens")}
ok = all(rows.get(hashlib.sha256(t.encode()).hexdigest()) == t[:15] for t in sys.argv[2:])
print("hashed" if ok and len(rows) == 3 else f"unexpected rows: {rows}")
PY
)
assert_eq "hashed" "$stored" "the store keeps each token's SHA-256 and prefix, never the token"
finish
