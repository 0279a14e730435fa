#!/usr/bin/env bash
# A key's own rate limits (kt keys create --rpm/--tpm/--tpd) inside its group's, at two gateways:
# the key made with --rpm 8 in a group of 20 requests/minute gets exactly 8 answers across both
# gateways, then 429 rate_limit_exceeded with Retry-After, "scope":"key" and the key's id; the
# x-ratelimit-* headers name the tighter limit (the key's 8); what the key's refusals took from
# the group goes back, so the group's own key then gets exactly the other 12, and the 21st request
# of the group is refused with "scope":"group". Bad limits are refused and make nothing.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 10
write_config "$WORK/policy-config.yaml"
sed -i 's#^    wallet_team_id: team_engineering$#    wallet_team_id: team_engineering\n    rate_limits: {requests_per_minute: 20, response_headers: true}#' "$WORK/policy-config.yaml"
grep -q "requests_per_minute: 20" "$WORK/policy-config.yaml" || fail "the config did not get the group's limit"
start_gateway "$WORK/policy-config.yaml" --threads 2
GW_A=$GW_URL
launch_gateway "$WORK/policy-config.yaml" -b --threads 2
GW_B=$LAUNCHED_URL
BODY='{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}'
send() {  # GATEWAY KEY -> the HTTP status; the answer in last.json, its head in last.head
  curl -sS -D "$WORK/last.head" -o "$WORK/last.json" -w '%{http_code}' "$1/v1/chat/completions" \
    -H "Content-Type: application/json" -H "Authorization: Bearer $2" -d "$BODY"
}
header() { grep -i "^$1:" "$WORK/last.head" | head -1 | cut -d' ' -f2 | tr -d '\r'; }

# Bad limits: 400, nothing made.
before=$("$KT" keys list --format json | jq '.keys | length')
out=$(api POST /v1/keys '{"group":"engineering","rate_limits":{"requests_per_minute":0}}')
assert_eq invalid_field "$(jq -r .error.code <<<"$out")" "a limit of 0 is refused"
out=$(api POST /v1/keys '{"group":"engineering","rate_limits":{"requests_per_hour":5}}')
assert_eq unknown_field "$(jq -r .error.code <<<"$out")" "an unknown limit is refused"
out=$(api POST /v1/keys '{"group":"engineering","rate_limits":{"tokens_per_day":"5"}}')
assert_eq invalid_field "$(jq -r .error.code <<<"$out")" "a limit that is not a number is refused"
assert_eq "$before" "$("$KT" keys list --format json | jq '.keys | length')" "no key made by a refusal"

KEY=$("$KT" keys create --group engineering --rpm 8 --tpd 1000000 2>/dev/null) || fail "kt keys create --rpm failed"
ID=$("$KT" keys list --format json | jq -r --arg p "${KEY:0:14}" '.keys[] | select(.prefix == $p) | .id')
assert_eq '{"requests_per_minute":8,"tokens_per_day":1000000}' \
  "$("$KT" keys list --format json | jq -c --arg id "$ID" '.keys[] | select(.id == $id) | .rate_limits')" "the key's limits are listed"
# The key reaches both gateways within a sync; the probe itself is refused until then (401), never served.
eventually '[ "$(send "$GW_A" "$KEY")" != 401 ]' 10 || fail "gateway A does not know the key within 10 s"
eventually '[ "$(send "$GW_B" "$KEY")" != 401 ]' 10 || fail "gateway B does not know the key within 10 s"
# Those two probes were served: 6 more of the key's 8 go through, alternating gateways.
ok=2 refused=0
for i in $(seq 1 10); do
  gw=$GW_A; [ $((i % 2)) = 0 ] && gw=$GW_B
  status=$(send "$gw" "$KEY")
  if [ "$status" = 200 ]; then
    ok=$((ok + 1))
    [ $ok = 3 ] && assert_eq 8 "$(header x-ratelimit-limit-requests)" "the headers name the key's limit, the tighter"
  elif [ "$status" = 429 ]; then
    refused=$((refused + 1))
    if [ $refused = 1 ]; then
      assert_eq "rate_limit_exceeded requests_per_minute key" "$(jq -r '"\(.error.code) \(.error.limit) \(.error.scope)"' "$WORK/last.json")" \
        "the refusal names the key's bound"
      assert_contains "$(jq -r .error.message "$WORK/last.json")" "consumer key $ID (group 'engineering')" "the message names the key by id"
      [[ $(header retry-after) =~ ^[0-9]+$ ]] && pass "Retry-After: $(header retry-after)" || fail "no Retry-After on the 429"
    fi
  else
    fail "unexpected status $status: $(cat "$WORK/last.json")"
  fi
done
assert_eq "8 4" "$ok $refused" "the key gets exactly its 8 requests across the 2 gateways"
if grep -qF "$KEY" "$WORK/last.json" "$WORK/gateway.log" "$WORK/gateway-b.log"; then fail "the key leaked"; else pass "no key in answers or logs"; fi

# The refused requests gave the group its share back (a slice returns to the API within ~3.5 s):
# the config's key of the group gets exactly the 12 left of its 20, then the group's bound refuses.
sleep 5
ok=0
for i in $(seq 1 13); do
  gw=$GW_A; [ $((i % 2)) = 0 ] && gw=$GW_B
  status=$(send "$gw" kt_cg_engineering_abc123)
  [ "$status" = 200 ] && ok=$((ok + 1))
done
assert_eq 12 "$ok" "the group's key gets the 12 requests the key left"
assert_eq "429 group" "$status $(jq -r .error.scope "$WORK/last.json")" "the 21st request of the group is refused by the group's bound"
assert_eq 20 "$(header x-ratelimit-limit-requests)" "the config's key sees the group's limit"
eventually '[ "$("$KT" events tail --last 50 --format json | jq "[.[] | select(.rate_limit_scope == \"key\")] | length")" = 4 ]' 10 ||
  fail "4 events should say the key's own bound refused them"
finish
