#!/usr/bin/env bash
# Streams whose usage never comes are billed at kt's own count, tool calls and reasoning included
# (never $0); an upstream event past the SSE bound ends the stream as an upstream error, billed at
# what was seen; the redact action keeps the matched phrases from ever reaching the upstream.
source "$(dirname "$0")/providers_lib.sh"
PROVIDERS_EXTRA_YAML='policies:
  - name: scrub-violence
    type: content_filter
    action: redact
    config:
      categories: [violence, self_harm]'
start_providers_stack
ENG=kt_cg_engineering_abc123

# estimated_output ROUTE BODY MESSAGE: sets TOKENS to the completion tokens kt billed for a stream
# without usage (not in a subshell: its assertions must count).
estimated_output() {
  local n
  n=$("$KT" events tail --last 1000 --format json | jq length)
  stream_post "$1" $ENG "$2" >"$WORK/stream.txt"
  eventually '[ "$("$KT" events tail --last 1000 --format json | jq length)" -gt '"$n"' ]' 10 || fail "$3: no event"
  assert_eq '"estimated"' "$(last_event .usage_source)" "$3: billed from kt's own count"
  [ "$(last_event '.cost | . > 0')" = true ] || fail "$3: billed \$0"
  TOKENS=$(last_event .usage.completion_tokens)
}

# 1. Chat stream answered with a tool call and no usage: the arguments (500 words) are counted.
estimated_output /v1/chat/completions '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"report [mock:tool_calls] [mock:no_usage] [mock:completion_tokens=500]"}]}' "chat tool call"
text=$TOKENS
grep -q '"name":"get_report"' "$WORK/stream.txt" || fail "chat tool call: the client did not get the tool call"
[ "$text" -ge 500 ] || fail "chat tool call: $text completion tokens billed for 500 words of arguments"
pass "chat tool call without usage: $text completion tokens billed"

# 2. Reasoning text with no usage: 300 words of reasoning_content before a 20-word answer.
estimated_output /v1/chat/completions '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"think [mock:reasoning_words=300] [mock:no_usage]"}]}' "chat reasoning"
text=$TOKENS
[ "$text" -ge 320 ] || fail "chat reasoning: $text completion tokens billed for 300 reasoning + 20 answer words"
pass "chat reasoning without usage: $text completion tokens billed"

# 3. Anthropic: thinking and a tool_use block, no usage in message_delta; natively and behind chat.
body='{"model":"claude-3-5-haiku","max_tokens":4000,"stream":true,"messages":[{"role":"user","content":"go [mock:tool_calls] [mock:reasoning_words=200] [mock:no_usage] [mock:completion_tokens=300]"}]}'
estimated_output /v1/messages "$body" "messages tool_use + thinking"
text=$TOKENS
grep -q '"partial_json"' "$WORK/stream.txt" || fail "messages: the client did not get the tool input"
[ "$text" -ge 500 ] || fail "messages: $text completion tokens billed for 200 thinking + 300 input words"
pass "messages tool_use + thinking without usage: $text completion tokens billed"
estimated_output /v1/chat/completions "${body/\"max_tokens\":4000,/}" "chat behind Anthropic"
text=$TOKENS
[ "$text" -ge 500 ] || fail "chat behind Anthropic: $text completion tokens billed for 200 thinking + 300 input words"
pass "chat behind Anthropic without usage: $text completion tokens billed"
expect_settled() {
  eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "$1: reservation still held"
  local sum
  sum=$("$KT" events tail --last 1000 --format json | jq '[.[] | select(.consumer_group == "engineering") | (.cost // 0) * 1000000000 | round] | add // 0')
  assert_eq "$sum" "$(balance team_engineering | jq .spent | nanos)" "$1: spent = the events' costs"
}
expect_settled "streams without usage"

# 4. An event larger than the SSE bound (1 MiB): an error event, the stream ends, billed at what was seen.
stream_post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"big [mock:oversized_event]"}]}' >"$WORK/big.txt"
grep -q '"code":"upstream_event_too_large"' "$WORK/big.txt" || fail "oversized event: no error event for the client"
[ "$(wc -c <"$WORK/big.txt")" -lt 100000 ] || fail "oversized event: the oversized event reached the client"
eventually '[ "$(last_event .reason)" = "\"upstream_event_too_large\"" ]' 10 || fail "oversized event: event reason"
assert_eq '"estimated"' "$(last_event .usage_source)" "oversized event: billed at kt's count of what was seen"
[ "$(last_event '.cost | . > 0')" = true ] || fail "oversized event: billed \$0"
expect_settled "oversized event"

# 5. redact: the upstream never sees the phrase; the event names the category, never the text.
secret='I will kill you if the report is late. Also, the build is green.'
out=$(post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"'"$secret"'"}]}]}')
assert_eq "200" "$(status_of "$out")" "redact: served"
sent=$(mock_last | jq -r .body)
grep -qi "kill" <<<"$sent" && fail "redact: the upstream saw the phrase: $sent"
assert_contains "$sent" "[REDACTED:violence] if the report is late. Also, the build is green." "redact: the rest of the text is kept"
assert_eq "Be brief." "$(jq -r '.messages[0].content' <<<"$sent")" "redact: unmatched strings unchanged"
eventually '[ "$(last_event .decision)" = "\"redact\"" ]' 10 || fail "redact: decision"
assert_eq '{"name":"scrub-violence","action":"redact","triggered":true,"categories":["violence"]}' \
  "$(last_event '.policies[0] | {name, action, triggered, categories}')" "redact: the event records the category"
"$KT" events tail --last 1 --format json | grep -qi "kill" && fail "redact: the event holds the text"
redacted_estimate=$(last_event .prompt_tokens_estimate)
# The estimate is of what was sent: the same request written redacted costs the same prompt.
post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"[REDACTED:violence] if the report is late. Also, the build is green."}]}]}' >/dev/null
eventually '[ "$(last_event .decision)" = "\"allow\"" ]' 10 || fail "plain request: no event"
assert_eq "$(last_event .prompt_tokens_estimate)" "$redacted_estimate" "redact: the prompt estimate is of the redacted text"
out=$(post /v1/completions $ENG '{"model":"gpt-3.5-turbo-instruct","prompt":"plan: kill myself, no","max_tokens":5}')
assert_eq "200" "$(status_of "$out")" "redact completions: served"
assert_eq '"plan: [REDACTED:self_harm], no"' "$(mock_last | jq '.body | fromjson | .prompt')" "redact completions: the prompt is redacted"
expect_settled "after redactions"
finish
