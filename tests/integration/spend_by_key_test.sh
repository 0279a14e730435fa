#!/usr/bin/env bash
# Spend by key: each decision event names the API-made key (kt keys create) that authenticated the
# request by its id (key_id, never the key); `kt spend --by key` groups the period's spend by it,
# exactly, and shows requests made with the config's key under their consumer group's name. Each
# request costs 9 x 150 + 900 x 600 = 541,350 nano-dollars.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 10
start_example_gateway
BODY='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
send() {  # KEY -> the HTTP status
  curl -sS -o "$WORK/last.json" -w '%{http_code}' "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
    -H "Authorization: Bearer $1" -d "$BODY"
}
KEY_1=$("$KT" keys create --group engineering 2>/dev/null) || fail "kt keys create failed"
KEY_2=$("$KT" keys create --group engineering 2>/dev/null) || fail "kt keys create failed"
ID_1=$("$KT" keys list --format json | jq -r --arg p "${KEY_1:0:14}" '.keys[] | select(.prefix == $p) | .id')
ID_2=$("$KT" keys list --format json | jq -r --arg p "${KEY_2:0:14}" '.keys[] | select(.prefix == $p) | .id')
[[ $ID_1 == ck_* && $ID_2 == ck_* ]] || fail "key ids: [$ID_1] [$ID_2]"
eventually '[ "$(send "$KEY_1")" = 200 ]' 10 || fail "the first key is not served within 10 s"
eventually '[ "$(send "$KEY_2")" = 200 ]' 10 || fail "the second key is not served within 10 s"
assert_eq 200 "$(send "$KEY_1")" "the first key again"
assert_eq 200 "$(send kt_cg_engineering_abc123)" "the config's key"
eventually "[ \"\$(spent_nanos team_engineering)\" = $((4 * 541350)) ]" 10 || fail "4 requests not settled"
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 4 ]' 10 || fail "4 events expected"
assert_eq "$(printf '%s\n' "$ID_1" "$ID_1" "$ID_2" null | sort | paste -sd' ')" \
  "$("$KT" events tail --last 4 --format json | jq -r '.[].key_id' | sort | paste -sd' ')" "the events name the API keys by id"
if "$KT" events tail --last 10 --format json | grep -qF -e "$KEY_1" -e "$KEY_2" -e kt_cg_engineering_abc123; then
  fail "a key reached an event"
else
  pass "no key in any event"
fi
# Largest first; the tie between the second key and the config's key goes by name (ck_ < engineering).
assert_eq "key,cost,prompt_tokens,completion_tokens,requests
$ID_1,0.0010827,18,1800,2
$ID_2,0.00054135,9,900,1
engineering,0.00054135,9,900,1" "$("$KT" spend --team engineering --by key --format csv)" "spend by key, CSV"
assert_contains "$("$KT" spend --team engineering --by key)" "  $ID_1: \$0.0010827 (1818 tokens, 2 requests)" "spend by key, text"
assert_eq "key 3" "$(api GET '/v1/spend?team=engineering&by=key' | jq -r '"\(.by) \(.rows | length)"')" "GET /v1/spend?by=key"
assert_eq invalid_parameter "$(api GET '/v1/spend?team=engineering&by=keys' | jq -r .error.code)" "an unknown grouping is a 400"
finish
