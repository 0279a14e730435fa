#!/usr/bin/env bash
# Streams pass through event by event and are settled at the streamed usage.
source "$(dirname "$0")/lib.sh"
start_mock
start_api
seed_pricing
api POST /v1/wallets/allocate '{"team_id":"team_engineering","amount":5,"currency":"USD"}' >/dev/null
write_config "$WORK/policy-config.yaml"
start_gateway "$WORK/policy-config.yaml"
stream() {
  curl -sN "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
    -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$1"
}
# The client does not ask for usage: the gateway asks upstream, settles, and hides the extra chunk.
out=$(stream '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}')
assert_contains "$out" "data: [DONE]" "stream ends with [DONE]"
assert_eq 0 "$(grep '^data: {' <<<"$out" | sed 's/^data: //' | jq -s '[.[] | select(.usage != null)] | length')" "no usage chunk the client did not ask for"
assert_eq "Servers hum softly Data drifts through endless sky The cloud holds our dreams" \
  "$(grep '^data: {' <<<"$out" | sed 's/^data: //' | jq -rj '.choices[0].delta.content // empty' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//')" "content passed through"
body=$(curl -s "$MOCK_URL/_mock/last" | jq -r .body)
assert_eq "true" "$(jq -r .stream_options.include_usage <<<"$body")" "upstream was asked for usage"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "stream not settled"
assert_eq "0.0000171" "$(balance team_engineering | jq -r .spent | awk '{printf "%.7f", $1}')" "settled at the streamed usage (14 + 25 tokens)"
# The client asks for usage: it gets the usage chunk unchanged.
out=$(stream '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}')
assert_eq '{"prompt_tokens":14,"completion_tokens":25,"total_tokens":39}' \
  "$(grep '^data: {' <<<"$out" | sed 's/^data: //' | jq -c 'select(.usage != null) | .usage')" "usage chunk passed on when asked"
body=$(curl -s "$MOCK_URL/_mock/last" | jq -r .body)
assert_eq '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}' \
  "$body" "the client's body forwarded byte for byte"
# A stream without usage is billed from the gateway's own count, flagged as estimated.
stream '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"count me [mock:no_usage]"}]}' >/dev/null
eventually '[ "$("$KT" events tail --last 1 --format json | jq -r ".[0].usage_source")" = estimated ]' || fail "usage_source estimated expected"
ev=$("$KT" events tail --last 1 --format json | jq -c '.[0] | {c: (.usage.completion_tokens > 0), cost: (.cost > 0)}')
assert_eq '{"c":true,"cost":true}' "$ev" "an estimated stream is never billed \$0"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "estimated stream not settled"
finish
