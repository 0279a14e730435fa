#!/usr/bin/env bash
# content_filter redact on the answers of /v1/responses (OpenAI) and /v1/messages (Anthropic), and of
# chat translated to Anthropic, whole and streamed: the client reads the text redacted (joined deltas
# equal the whole answer redacted at once; the events that repeat the whole text carry it
# redacted), the event names the labels, never the text, and billing reads the upstream's usage.
source "$(dirname "$0")/providers_lib.sh"
PROVIDERS_EXTRA_YAML='policies:
  - name: scrub
    type: content_filter
    action: redact
    config:
      categories: [violence]
      patterns:
        - {name: ssn, regex: '"'"'\b\d{3}-\d{2}-\d{4}\b'"'"'}'
start_providers_stack
ENG=kt_cg_engineering_abc123
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
answer='Well, sure thing. I will kill you tomorrow. My ssn: 123-45-6789, and the build is green.'
redacted='Well, sure thing. [REDACTED:violence] tomorrow. My ssn: [REDACTED:ssn], and the build is green.'
say="[mock:say_hex=$(hex "$answer")]"
# The mock counts the answer's words as its output tokens: what every request here is billed at.
words=$(wc -w <<<"$answer")
labels='[{"policy":"scrub","labels":["violence","ssn"]}]'

events_seen=0
# check_event NAME: the request's event came, names what was redacted, holds no matched text, and
# was billed at the upstream's output tokens.
check_event() {
  events_seen=$((events_seen + 1))
  eventually '[ "$("$KT" events tail --last 1000 --format json | jq length)" -ge '"$events_seen"' ]' 10 || fail "$1: no event"
  assert_eq "$labels" "$(last_event .output_redactions)" "$1: the event names what the answer had redacted"
  assert_eq "$words provider" "$(last_event '"\(.usage.completion_tokens) \(.usage_source)"' | tr -d '"')" "$1: billed at the upstream's usage"
  if "$KT" events tail --last 1 --format json | grep -q 'kill\|123-45-6789'; then fail "$1: the event holds the text"; fi
}
no_match() {  # TEXT NAME
  if grep -q 'kill\|123-45-6789' <<<"$1"; then fail "$2: the client saw a matched phrase: $1"; fi
}

# 1. /v1/responses, streamed: 24 bytes a delta, phrases cut across events.
out=$(stream_post /v1/responses $ENG '{"model":"gpt-4o-mini","stream":true,"input":"say it '"$say"'"}')
[ "$(sse_data "$out" | jq -r 'select(.type == "response.output_text.delta") | .type' | wc -l)" -ge 3 ] ||
  fail "responses stream: the answer did not come in many deltas: $out"
assert_eq "$redacted" "$(sse_data "$out" | jq -rj 'select(.type == "response.output_text.delta") | .delta')" \
  "responses stream: joined deltas = whole text redacted"
assert_eq "$redacted" "$(sse_data "$out" | jq -r 'select(.type == "response.output_text.done") | .text')" \
  "responses stream: output_text.done repeats the redacted text"
assert_eq "$redacted" "$(sse_data "$out" | jq -r 'select(.type == "response.completed") | .response.output[0].content[0].text')" \
  "responses stream: response.completed's output is the redacted text"
assert_eq "$words" "$(sse_data "$out" | jq -r 'select(.type == "response.completed") | .response.usage.output_tokens')" \
  "responses stream: the usage passes unchanged"
paste -d' ' <(grep '^event: ' <<<"$out" | sed 's/^event: //') <(sse_data "$out" | jq -r .type) | awk '$1 != $2 {exit 1}' ||
  fail "responses stream: an event lost its name: $out"
no_match "$out" "responses stream"
check_event "responses stream"

# 2. /v1/responses, whole.
out=$(post /v1/responses $ENG '{"model":"gpt-4o-mini","input":"say it '"$say"'"}')
assert_eq "200 $redacted" "$(status_of "$out") $(body_of "$out" | jq -r '.output[0].content[0].text')" "responses: output_text redacted"
assert_eq "$words" "$(body_of "$out" | jq .usage.output_tokens)" "responses: the usage passes unchanged"
no_match "$out" "responses"
check_event "responses"

# 3. /v1/messages (Anthropic), streamed.
out=$(stream_post /v1/messages $ENG '{"model":"claude-3-5-haiku","max_tokens":200,"stream":true,"messages":[{"role":"user","content":"say it '"$say"'"}]}')
[ "$(sse_data "$out" | jq -r 'select(.type == "content_block_delta") | .type' | wc -l)" -ge 3 ] ||
  fail "messages stream: the answer did not come in many deltas: $out"
assert_eq "$redacted" "$(sse_data "$out" | jq -rj 'select(.type == "content_block_delta") | .delta.text')" \
  "messages stream: joined text deltas = whole text redacted"
assert_eq "message_stop" "$(grep '^event: ' <<<"$out" | tail -n1 | sed 's/^event: //')" "messages stream: ends as it did"
no_match "$out" "messages stream"
check_event "messages stream"

# 4. /v1/messages, whole.
out=$(post /v1/messages $ENG '{"model":"claude-3-5-haiku","max_tokens":200,"messages":[{"role":"user","content":"say it '"$say"'"}]}')
assert_eq "200 $redacted" "$(status_of "$out") $(body_of "$out" | jq -r '.content[0].text')" "messages: text block redacted"
no_match "$out" "messages"
check_event "messages"

# 5. Chat translated to Anthropic, streamed and whole: the translator's chat chunks are redacted.
out=$(stream_post /v1/chat/completions $ENG '{"model":"claude-3-5-haiku","stream":true,"messages":[{"role":"user","content":"say it '"$say"'"}]}')
assert_eq "$redacted" "$(sse_data "$out" | jq -rj '.choices[0].delta.content // empty')" "chat->anthropic stream: joined = whole redacted"
grep -q '^data: \[DONE\]' <<<"$out" || fail "chat->anthropic stream: no [DONE]"
no_match "$out" "chat->anthropic stream"
check_event "chat->anthropic stream"
out=$(post /v1/chat/completions $ENG '{"model":"claude-3-5-haiku","messages":[{"role":"user","content":"say it '"$say"'"}]}')
assert_eq "200 $redacted" "$(status_of "$out") $(body_of "$out" | jq -r '.choices[0].message.content')" "chat->anthropic: redacted"
no_match "$out" "chat->anthropic"
check_event "chat->anthropic"
finish
