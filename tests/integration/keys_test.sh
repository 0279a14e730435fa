#!/usr/bin/env bash
# Consumer keys made through the API (kt keys). A key made with `kt keys create --group` is shown
# once, bills the group's team exactly at two gateways, shows its prefix and last use in `kt keys
# list`, and after `kt keys revoke` is refused (401) at both gateways within 5 s. `kt keys rotate
# --overlap` gives a successor: both work during the overlap, then only the new one. Bad input
# (an unknown group, a bad id, a viewer token) is refused and changes nothing. A key for a group
# the API knows but a gateway's config lacks is refused at that gateway with its group named. The
# config's keys keep working. No key appears in a log, an answer but its creation, an event or
# the database (which holds its SHA-256 only).
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 is required (Debian: python3)" >&2; exit 1; }
start_mock_and_api "sqlite:$WORK/kt.db"
allocate team_engineering 10.00
allocate team_research 10.00
ANSWERS=$WORK/answers.txt  # every answer but the creation ones, for the secrets check
HAIKU='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
HAIKU_COST=0.0000171  # 14 prompt + 25 completion tokens of gpt-4o-mini

# Gateway A: the example config. Gateway B: the same plus a group 'research' that A lacks.
write_config "$WORK/gw-a.yaml"
start_gateway "$WORK/gw-a.yaml" --threads 1
GW_A=$GW_URL
sed 's#^consumer_groups:$#consumer_groups:\n  - name: research\n    api_key: kt_cg_research_ghi789\n    wallet_team_id: team_research#' \
  "$WORK/gw-a.yaml" >"$WORK/gw-b.yaml"
grep -q "name: research" "$WORK/gw-b.yaml" || fail "gateway B's config lacks the research group"
launch_gateway "$WORK/gw-b.yaml" -b --threads 2
GW_B=$LAUNCHED_URL

# call GATEWAY_URL KEY: the status of one haiku request sent with Authorization: Bearer KEY.
call() {
  local out
  out=$(curl -sS -w ' %{http_code}' "$1/v1/chat/completions" -H "Content-Type: application/json" \
    -H "Authorization: Bearer $2" -d "$HAIKU")
  echo "$out" >>"$ANSWERS"
  echo "${out##* }"
}
# until_refused GATEWAY KEY SECONDS: calls every 0.1 s until the key is refused (LAST_STATUS), at
# most SECONDS; what was served meanwhile counts in SERVED (it is billed).
until_refused() {
  local deadline=$((SECONDS + $3))
  LAST_STATUS=200
  while [ "$SECONDS" -le "$deadline" ]; do
    LAST_STATUS=$(call "$1" "$2")
    [ "$LAST_STATUS" = 200 ] || return 0
    SERVED=$((SERVED + 1))
    sleep 0.1
  done
}
# spent_is TEAM N: the team's spent is exactly N haikus (decimal arithmetic, never floats).
spent_is() {
  balance "$1" | python3 -c "
import json, sys
from decimal import Decimal
sys.exit(0 if json.load(sys.stdin, parse_float=Decimal)['spent'] == Decimal('$HAIKU_COST') * $2 else 1)"
}
# expect_spent TEAM N WHAT: within 10 s the team's spent is exactly N haikus.
expect_spent() {
  if eventually "spent_is $1 $2" 10; then pass "$3: $1 spent exactly $2 × \$$HAIKU_COST"; else fail "$3: $(balance "$1"), expected $2"; fi
}
keys_json() { local out; out=$("$KT" keys list --format json); echo "$out" >>"$ANSWERS"; echo "$out"; }
key_field() { keys_json | jq -r --arg id "$1" ".keys[] | select(.id == \$id) | .$2"; }
as() {  # TOKEN METHOD PATH [JSON]: prints "STATUS BODY"
  local args=(-sS -X "$2" "$KEEPTRUSTS_API_URL$3" -H "Authorization: Bearer $1" -w ' %{http_code}') out
  [ -n "${4:-}" ] && args+=(-H "Content-Type: application/json" -d "$4")
  out=$(curl "${args[@]}")
  echo "$out" >>"$ANSWERS"
  echo "${out##* } ${out% *}"
}

# ------------------------------------------------------------------ create (shown once)
KEY=$("$KT" keys create --group engineering 2>"$WORK/create.err") || fail "kt keys create failed: $(cat "$WORK/create.err")"
[[ $KEY =~ ^kt_ck_[0-9a-f]{64}$ ]] && pass "a key is kt_ck_ + 64 hex digits" || fail "key format: [$KEY]"
assert_contains "$(cat "$WORK/create.err")" "shown only this once" "create says the key is shown once"
KEY_ID=$(keys_json | jq -r '.keys[0].id')
assert_eq "${KEY:0:14}" "$(key_field "$KEY_ID" prefix)" "the list shows the key's prefix"
assert_eq "engineering" "$(key_field "$KEY_ID" group)" "the list shows the key's group"
assert_eq '["budget","budget_period","created_at","expires_at","group","id","last_used_at","prefix","rate_limits","remaining","replaced_by","reserved","revoked_at","spent"]' \
  "$(keys_json | jq -c '.keys[0] | keys')" "a listed key has no key and no hash"
assert_eq "null" "$(key_field "$KEY_ID" last_used_at)" "a new key was never used"

# ------------------------------------------------------------------ bad input changes nothing
VIEWER=$("$KT" tokens create --name dash --scope viewer 2>/dev/null)
before=$(keys_json | jq -c .)
out=$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys '{"group":"nosuch"}')
assert_eq "400 unknown_group" "${out%% *} $(jq -r .error.code <<<"${out#* }")" "a key for an unknown group is 400"
assert_contains "$out" "registered: " "the refusal lists the registered groups"
bad=$("$KT" keys create --group nosuch 2>&1) && fail "kt keys create --group nosuch succeeded: $bad"
out=$(as "$VIEWER" POST /v1/keys '{"group":"engineering"}')
assert_eq "403 insufficient_scope" "${out%% *} $(jq -r .error.code <<<"${out#* }")" "a viewer cannot create a key"
assert_eq "403" "$(as "$VIEWER" POST /v1/keys/revoke "{\"id\":\"$KEY_ID\"}" | cut -c1-3)" "a viewer cannot revoke a key"
assert_eq "403" "$(as "$VIEWER" POST /v1/keys/rotate "{\"id\":\"$KEY_ID\"}" | cut -c1-3)" "a viewer cannot rotate a key"
assert_eq "200" "$(as "$VIEWER" GET /v1/keys | cut -c1-3)" "a viewer can list the keys"
assert_eq "403" "$(as "$VIEWER" POST /v1/gateway/keys '{"used":[]}' | cut -c1-3)" "a viewer cannot sync keys as a gateway"
assert_eq "404" "$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys/revoke '{"id":"ck_nosuch"}' | cut -c1-3)" "revoking an unknown id is 404"
assert_eq "404" "$(as "$KEEPTRUSTS_API_TOKEN" DELETE /v1/keys/ck_nosuch | cut -c1-3)" "DELETE of an unknown id is 404"
assert_eq "404" "$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys/revoke '{"key":"kt_ck_0000"}' | cut -c1-3)" "revoking an unknown key is 404"
assert_eq "400" "$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys/revoke "{\"id\":\"$KEY_ID\",\"key\":\"x\"}" | cut -c1-3)" "id and key together are 400"
assert_eq "400" "$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys/rotate "{\"id\":\"$KEY_ID\",\"overlap\":\"soon\"}" | cut -c1-3)" "a bad overlap is 400"
assert_eq "400" "$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys '{"group":"engineering","expires_in":"-1h"}' | cut -c1-3)" "a bad expiry is 400"
assert_eq "400" "$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys '{"group":"engineering","scope":"x"}' | cut -c1-3)" "an unknown field is 400"
bad=$("$KT" keys revoke ck_nosuch 2>&1) && fail "kt keys revoke ck_nosuch succeeded: $bad"
assert_eq "$before" "$(keys_json | jq -c .)" "bad input changed no key"

# ------------------------------------------------------------------ use at both gateways, billed exactly
eventually "[ \"\$(call $GW_A $KEY)\" = 200 ]" 5 && pass "gateway A accepts the new key within 5 s" || fail "gateway A refuses the new key"
eventually "[ \"\$(call $GW_B $KEY)\" = 200 ]" 5 && pass "gateway B accepts the new key within 5 s" || fail "gateway B refuses the new key"
SERVED=2
for _ in 1 2 3; do
  for gw in "$GW_A" "$GW_B"; do
    [ "$(call "$gw" "$KEY")" = 200 ] && SERVED=$((SERVED + 1)) || fail "a request with the key at $gw was refused"
  done
done
assert_eq "200" "$(call "$GW_A" kt_cg_engineering_abc123)" "the config's key keeps working"
SERVED=$((SERVED + 1))
expect_spent team_engineering "$SERVED" "billed to the group's team"
eventually "[ \"\$(key_field $KEY_ID last_used_at)\" != null ]" 6 && pass "the list shows the key's last use" ||
  fail "no last use: $(keys_json)"
table=$("$KT" keys list)
echo "$table" >>"$ANSWERS"
assert_contains "$table" "LAST USED" "kt keys list prints a table"
assert_contains "$table" "${KEY:0:14}" "the table shows the prefix"

# ------------------------------------------------------------------ a group one gateway lacks
RKEY=$("$KT" keys create --group research 2>/dev/null) || fail "kt keys create --group research failed"
eventually "[ \"\$(call $GW_B $RKEY)\" = 200 ]" 5 && pass "gateway B (which has 'research') serves its key" || fail "gateway B refuses the research key"
# Gateway A learns the key at its next sync: from then on it names the group it lacks.
research_at_a() { curl -sS "$GW_A/v1/chat/completions" -H "Authorization: Bearer $RKEY" -H "Content-Type: application/json" -d "$HAIKU" -w ' %{http_code}' | tee -a "$ANSWERS"; }
eventually "research_at_a | grep -qF \"consumer group 'research'\"" 5 && pass "gateway A's refusal names the group its config lacks" ||
  fail "gateway A: $(research_at_a)"
assert_eq "401" "$(research_at_a | awk '{print $NF}')" "gateway A (no 'research' in its config) refuses the key"
expect_spent team_research 1 "the research key"

# ------------------------------------------------------------------ revoke: 401 within 5 s at both
"$KT" keys revoke "$KEY" >"$WORK/revoke.out" 2>&1 || fail "kt keys revoke KEY failed: $(cat "$WORK/revoke.out")"
revoked_at=$(date +%s.%N)
for gw in "$GW_A" "$GW_B"; do
  until_refused "$gw" "$KEY" 5
  assert_eq "401" "$LAST_STATUS" "$gw refuses the revoked key within 5 s"
done
elapsed=$(python3 -c "import time; print(time.time() - $revoked_at < 5.5)")
assert_eq "True" "$elapsed" "both refused within 5 s of the revocation"
assert_eq "401" "$(call "$GW_A" "$KEY")" "the revoked key stays refused"
assert_eq "200" "$(call "$GW_A" kt_cg_engineering_abc123)" "the config's key still works"
SERVED=$((SERVED + 1))
[ "$(key_field "$KEY_ID" revoked_at)" != null ] && pass "the list shows revoked_at" || fail "revoked_at not listed"

# ------------------------------------------------------------------ rotation with an overlap
OLD=$("$KT" keys create --group engineering 2>/dev/null)
OLD_ID=$(keys_json | jq -r --arg p "${OLD:0:14}" '.keys[] | select(.prefix == $p) | .id')
eventually "[ \"\$(call $GW_B $OLD)\" = 200 ]" 5 && SERVED=$((SERVED + 1)) || fail "the key to rotate does not work"
NEW=$("$KT" keys rotate "$OLD_ID" --overlap 4s 2>"$WORK/rotate.err") || fail "kt keys rotate failed: $(cat "$WORK/rotate.err")"
[[ $NEW =~ ^kt_ck_[0-9a-f]{64}$ ]] && [ "$NEW" != "$OLD" ] && pass "rotate prints a new key" || fail "rotate printed [$NEW]"
NEW_ID=$(keys_json | jq -r --arg p "${NEW:0:14}" '.keys[] | select(.prefix == $p) | .id')
assert_eq "$NEW_ID" "$(key_field "$OLD_ID" replaced_by)" "the old key names its successor"
assert_eq "engineering" "$(key_field "$NEW_ID" group)" "the successor has the same group"
eventually "[ \"\$(call $GW_B $NEW)\" = 200 ]" 3 && SERVED=$((SERVED + 1)) && pass "the new key works during the overlap" || fail "the new key is refused"
[ "$(call "$GW_B" "$OLD")" = 200 ] && SERVED=$((SERVED + 1)) && pass "the old key works during the overlap" || fail "the old key stopped before the overlap's end"
# Until the overlap ends the old key is served (and billed); then it is refused.
until_refused "$GW_B" "$OLD" 8
assert_eq "401" "$LAST_STATUS" "the old key is refused after the overlap"
assert_eq "200" "$(call "$GW_A" "$NEW")" "only the new key works after the overlap"
SERVED=$((SERVED + 1))
out=$(as "$KEEPTRUSTS_API_TOKEN" POST /v1/keys/rotate "{\"id\":\"$KEY_ID\"}")
assert_eq "409 key_not_live" "${out%% *} $(jq -r .error.code <<<"${out#* }")" "a revoked key cannot be rotated"
expect_spent team_engineering "$SERVED" "after rotation"

# ------------------------------------------------------------------ no key anywhere but its creation
"$KT" events tail --last 200 --format json >>"$ANSWERS" 2>&1 || fail "kt events tail failed"
for k in "$KEY" "$RKEY" "$OLD" "$NEW"; do
  hits=$(cat "$WORK"/*.log "$ANSWERS" | grep -cF -- "${k:14}" || true)
  assert_eq "0" "$hits" "no key (${k:0:14}…) in any log, answer or event"
  assert_eq "0" "$(grep -caF -- "${k:14}" "$WORK/kt.db" "$WORK/kt.db-wal" 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')" \
    "the database does not hold the key ${k:0:14}…"
done
finish
