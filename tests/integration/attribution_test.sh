#!/usr/bin/env bash
# Attribution: the OpenAI `user` field, X-Kt-User (wins over it) and X-Kt-Tags go into the decision
# event; `kt spend --by user|tag` groups the period's spend by them, exactly. Bad values are refused
# with 400 invalid_attribution and change nothing. Each request costs 9 x 150 + 900 x 600 = 541,350
# nano-dollars.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 10
start_example_gateway
KEY=kt_cg_engineering_abc123
body() {  # [user]
  if [ -n "${1:-}" ]; then
    echo '{"model":"gpt-4o-mini","max_tokens":1000,"user":"'"$1"'","messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
  else
    echo '{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
  fi
}
send() {  # BODY [curl header args...] -> the HTTP status
  local b=$1
  shift
  curl -sS -o "$WORK/last.json" -w '%{http_code}' "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
    -H "X-Consumer-Group: $KEY" "$@" -d "$b"
}
assert_eq 200 "$(send "$(body alice)" -H 'X-Kt-Tags: a, b ,a')" "alice (body user), tags a,b"
assert_eq 200 "$(send "$(body alice)" -H 'X-Kt-User: bob' -H 'X-Kt-Tags: b')" "bob (the header wins), tag b"
assert_eq 200 "$(send "$(body)")" "nobody, no tags"
assert_eq 200 "$(send "$(body alice)")" "alice again, no tags"
eventually "[ \"\$(spent_nanos team_engineering)\" = $((4 * 541350)) ]" 10 || fail "4 requests not settled"
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 4 ]' 10 || fail "4 events expected"
assert_eq 'alice ["a","b"]|bob ["b"]|null []|alice []' \
  "$("$KT" events tail --last 4 --format json | jq -r 'sort_by(.timestamp) | map("\(.user) \(.tags | tojson)") | join("|")')" \
  "the events carry user and tags"

# Bad values: refused before anything is priced, forwarded or recorded as spend.
hits=$(mock_hits)
long=$(printf 'u%.0s' $(seq 1 129))
assert_eq "400 invalid_attribution" "$(send "$(body)" -H "X-Kt-User: $long") $(jq -r .error.code "$WORK/last.json")" "a user of 129 characters"
assert_eq "400 invalid_attribution" "$(send "$(body)" -H "X-Kt-User: $KEY") $(jq -r .error.code "$WORK/last.json")" "the caller's key as a user"
assert_eq "400 invalid_attribution" "$(send "$(body "sk-live-123")") $(jq -r .error.code "$WORK/last.json")" "a key-like body user"
assert_eq "400 invalid_attribution" "$(send "$(body)" -H 'X-Kt-Tags: 1,2,3,4,5,6,7,8,9,10,11') $(jq -r .error.code "$WORK/last.json")" "11 tags"
assert_eq "400 invalid_attribution" "$(send "$(body "caf\\u00e9")") $(jq -r .error.code "$WORK/last.json")" "a non-ASCII user"
assert_contains "$(cat "$WORK/last.json")" "printable ASCII" "the refusal says why"
if grep -rqF "$KEY" <<<"$("$KT" events tail --last 20 --format json | jq -c '.[] | {user, tags}')"; then fail "a key reached an event"; else pass "no key in any event's attribution"; fi
assert_eq "$hits" "$(mock_hits)" "nothing forwarded for the refusals"
assert_eq "$((4 * 541350))" "$(spent_nanos team_engineering)" "no spend for the refusals"

# Spend by user and by tag: exact, largest first (ties by name); an event with two tags counts in both.
assert_eq $'user,cost,prompt_tokens,completion_tokens,requests\nalice,0.0010827,18,1800,2\n(none),0.00054135,9,900,1\nbob,0.00054135,9,900,1' \
  "$("$KT" spend --team engineering --by user --format csv)" "spend by user, CSV"
assert_eq $'tag,cost,prompt_tokens,completion_tokens,requests\n(untagged),0.0010827,18,1800,2\nb,0.0010827,18,1800,2\na,0.00054135,9,900,1' \
  "$("$KT" spend --team engineering --by tag --format csv)" "spend by tag, CSV"
assert_contains "$("$KT" spend --team engineering --by user)" "  alice: \$0.0010827 (1818 tokens, 2 requests)" "spend by user, text"
assert_eq "tag 0 0" "$("$KT" spend --team engineering --by tag --format json | jq -r '"\(.by) \(.cache_hits) \(.cost_saved)"')" \
  "spend by tag, JSON: no cache savings yet"
finish
