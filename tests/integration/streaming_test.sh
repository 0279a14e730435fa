#!/usr/bin/env bash
# Streams pass through event by event and are settled at the streamed usage.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 5
start_example_gateway
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

source "$(dirname "$0")/ledger_check.sh"
ENG=kt_cg_engineering_abc123
stream_to() {  # FILE JSON [curl args]: the SSE text into FILE, headers into $WORK/headers
  local file=$1 json=$2; shift 2
  curl -sN -D "$WORK/headers" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
    -H "X-Consumer-Group: $ENG" "$@" -d "$json" >"$file" || true
}
spent_nanos() { balance team_engineering | jq .spent | nanos; }
EVENTS=$(event_count engineering)

# No buffering: the first event reaches the client long before the upstream sends the last one
# (the mock paces its 6 events 300 ms apart).
t0=$(date +%s%N)
curl -sN "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: $ENG" \
  -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing. [mock:chunk_delay_ms=300]"}]}' |
  while IFS= read -r line; do if [ -n "$line" ]; then echo "$(( ($(date +%s%N) - t0) / 1000000 )) $line"; fi; done >"$WORK/timed"
first=$(grep -m1 ' data: {' "$WORK/timed" | awk '{print $1}')
last=$(grep -F ' data: [DONE]' "$WORK/timed" | awk '{print $1}')
[ -n "$first" ] && [ -n "$last" ] && [ $((last - first)) -ge 1000 ] &&
  pass "first event at ${first} ms, [DONE] at ${last} ms: events pass through as they arrive" ||
  fail "the first event was held back (first ${first:-none} ms, last ${last:-none} ms)"
EVENTS=$((EVENTS + 1))

# Client disconnect mid-stream: the gateway keeps reading the upstream for the final usage and
# settles it in full (14 + 25 tokens), once the upstream has finished.
before=$(spent_nanos)
stream_to "$WORK/cut" '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing. [mock:chunk_delay_ms=200]"}]}' --max-time 0.3
grep -qF 'data: [DONE]' "$WORK/cut" && fail "disconnect: the client was meant to leave before the end" || pass "disconnect: the client left mid-stream"
id=$(request_id); EVENTS=$((EVENTS + 1)); wait_events engineering $EVENTS
ev=$(event_of "$id")
assert_eq "true provider 14 25" "$(jq -r '"\(.client_disconnected) \(.usage_source) \(.usage.prompt_tokens) \(.usage.completion_tokens)"' <<<"$ev")" \
  "disconnect: the final usage was read after the client left"
assert_eq 17100 $(( $(spent_nanos) - before )) "disconnect: settled at the full usage"
ledger_exact team_engineering engineering $EVENTS "$(spent_nanos)" "disconnect"

# Disconnect, then the upstream drops before its usage: billed prompt + the tokens seen, never \$0.
before=$(spent_nanos)
stream_to "$WORK/drop" '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing. [mock:drop] [mock:chunk_delay_ms=400]"}]}' --max-time 0.2
id=$(request_id); EVENTS=$((EVENTS + 1)); wait_events engineering $EVENTS
ev=$(event_of "$id")
# (Whether the gateway noticed the client leave depends on a write failing before the drop.)
assert_eq "estimated true" "$(jq -r '"\(.usage_source) \(.warnings | index("upstream stream ended abnormally") != null)"' <<<"$ev")" \
  "drop: the upstream dropped, the usage is the gateway's own count"
assert_eq "$(jq .prompt_tokens_estimate <<<"$ev")" "$(jq .usage.prompt_tokens <<<"$ev")" "drop: the prompt billed at the tokenizer's count"
seen=$(jq .usage.completion_tokens <<<"$ev")
# The upstream sent 8 of the haiku's words before dropping: at least 8 tokens, less than the whole 25.
[ "$seen" -ge 8 ] && [ "$seen" -lt 25 ] && pass "drop: $seen completion tokens seen billed" || fail "drop: $seen completion tokens billed"
cost=$(cost_nanos "$(jq .usage.prompt_tokens <<<"$ev")" "$seen" 150000 600000)
[ "$cost" -gt 0 ] && pass "drop: never \$0" || fail "drop: billed \$0"
assert_eq "$cost" $(( $(spent_nanos) - before )) "drop: settled at prompt + tokens seen"
ledger_exact team_engineering engineering $EVENTS "$(spent_nanos)" "drop"
finish
