#!/usr/bin/env bash
# Anthropic behind /v1/chat/completions (translated both ways, streams too) and native /v1/messages:
# priced (cache writes and reads at their own prices), reserved and settled exactly.
source "$(dirname "$0")/providers_lib.sh"
start_providers_stack
ENG=kt_cg_engineering_abc123

# 1. Chat completions routed to Anthropic (JSON): system -> system, max_tokens kept; answer translated.
out=$(post /v1/chat/completions $ENG '{"model":"claude-3-5-haiku","max_tokens":50,"temperature":0.5,"stop":"END","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello"}]}')
assert_eq 200 "$(status_of "$out")" "chat->anthropic: 200"
assert_eq '{"object":"chat.completion","finish_reason":"stop","words":20,"usage":{"prompt_tokens":15,"completion_tokens":20,"total_tokens":35,"prompt_tokens_details":{"cached_tokens":0}}}' \
  "$(body_of "$out" | jq -c '{object, finish_reason: .choices[0].finish_reason, words: (.choices[0].message.content | split(" ") | length), usage}')" \
  "chat->anthropic: answer in OpenAI's shape"
last=$(mock_last)
assert_eq "/v1/messages" "$(jq -r .path <<<"$last")" "chat->anthropic: sent to /v1/messages"
assert_eq "sk-ant-test-key|2023-06-01|null" "$(jq -r '[.headers["x-api-key"], .headers["anthropic-version"], (.headers.authorization // "null")] | join("|")' <<<"$last")" \
  "chat->anthropic: x-api-key and anthropic-version headers, no bearer"
assert_eq '{"model":"claude-3-5-haiku","system":"Be brief.","messages":[{"role":"user","content":"Say hello"}],"max_tokens":50,"stop_sequences":["END"],"temperature":0.5}' \
  "$(jq -r .body <<<"$last")" "chat->anthropic: Messages request body"
# 15 input x 0.001 + 20 output x 0.005 per 1K = 0.000115
expect_ledger 1 115000 "chat->anthropic"

# 2. Streamed chat via Anthropic, usage asked: chunks, a final usage chunk, [DONE]. No max_tokens:
# the model's cap (8192) is sent, as Anthropic requires one.
out=$(stream_post /v1/chat/completions $ENG '{"model":"claude-3-5-haiku","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}')
assert_contains "$out" "data: [DONE]" "chat stream->anthropic: ends with [DONE]"
assert_eq "Servers hum softly Data drifts through endless sky The cloud holds our dreams" \
  "$(sse_data "$out" | jq -rj '.choices[0].delta.content // empty' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//')" "chat stream->anthropic: content"
assert_eq "chat.completion.chunk" "$(sse_data "$out" | jq -r .object | sort -u)" "chat stream->anthropic: only chat chunks"
assert_eq '{"prompt_tokens":14,"completion_tokens":25,"total_tokens":39,"prompt_tokens_details":{"cached_tokens":0}}' \
  "$(sse_data "$out" | jq -c 'select(.usage != null) | .usage')" "chat stream->anthropic: usage chunk"
assert_eq "stop" "$(sse_data "$out" | jq -r '.choices[0].finish_reason // empty')" "chat stream->anthropic: finish_reason"
assert_eq "8192|true" "$(mock_last | jq -r '.body | fromjson | "\(.max_tokens)|\(.stream)"')" "chat stream->anthropic: max_tokens from the model cap"
# 14 x 0.001 + 25 x 0.005 per 1K = 0.000139
expect_ledger 2 254000 "chat stream->anthropic"

# 3. Native /v1/messages (JSON) with cache writes and reads: each kind at its own price.
body='{"model":"claude-3-5-haiku","max_tokens":100,"system":"S","messages":[{"role":"user","content":"Hi [mock:cache_creation_tokens=100] [mock:cached_tokens=1000]"}]}'
out=$(post /v1/messages $ENG "$body")
assert_eq 200 "$(status_of "$out")" "messages: 200"
assert_eq '{"input_tokens":15,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":20}' \
  "$(body_of "$out" | jq -c .usage)" "messages: Anthropic's answer passed through"
assert_eq "$body" "$(mock_last | jq -r .body)" "messages: body forwarded unchanged"
# 15 x 0.001 + 1000 x 0.0001 + 100 x 0.00125 + 20 x 0.005 per 1K = 0.00034
expect_ledger 3 594000 "messages"
assert_eq '{"route":"/v1/messages","provider":"anthropic","prompt_tokens":1115,"cached_tokens":1000,"cache_creation_tokens":100,"completion_tokens":20,"cost":0.00034}' \
  "$(last_event '{route, provider, prompt_tokens: .usage.prompt_tokens, cached_tokens: .usage.cached_tokens, cache_creation_tokens: .usage.cache_creation_tokens, completion_tokens: .usage.completion_tokens, cost}')" \
  "messages: the event records each token kind"

# 4. Native /v1/messages stream: events pass through unchanged; usage from message_start + message_delta.
out=$(stream_post /v1/messages $ENG '{"model":"claude-3-5-haiku","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Write a short haiku"}]}')
assert_eq "message_start content_block_start ping content_block_delta content_block_delta content_block_stop message_delta message_stop" \
  "$(grep '^event: ' <<<"$out" | sed 's/^event: //' | tr '\n' ' ' | sed 's/ $//')" "messages stream: Anthropic's events unchanged"
assert_eq "max_tokens|10" "$(sse_data "$out" | jq -r 'select(.type == "message_delta") | "\(.delta.stop_reason)|\(.usage.output_tokens)"')" "messages stream: message_delta"
# 14 x 0.001 + 10 x 0.005 per 1K = 0.000064
expect_ledger 4 658000 "messages stream"

# 5. No route bypasses the budget: a wallet that cannot pay gets 402 and nothing is forwarded.
hits=$(mock_hits)
out=$(post /v1/messages kt_cg_marketing_def456 '{"model":"claude-3-5-haiku","max_tokens":1000,"messages":[{"role":"user","content":"Hi"}]}')
assert_eq "402 budget_exceeded" "$(status_of "$out") $(body_of "$out" | jq -r .error.type)" "messages: 402 when the wallet cannot pay"
out=$(post /v1/chat/completions kt_cg_marketing_def456 '{"model":"claude-3-5-haiku","messages":[{"role":"user","content":"Hi"}]}')
assert_eq 402 "$(status_of "$out")" "chat->anthropic: 402 when the wallet cannot pay"
assert_eq "$hits" "$(mock_hits)" "refused requests never reach the upstream"

# 6. Anthropic has no embeddings: 400, the reservation released, nothing charged.
out=$(post /v1/embeddings $ENG '{"model":"claude-3-5-haiku","input":"hello"}')
assert_eq "400 route_not_supported" "$(status_of "$out") $(body_of "$out" | jq -r .error.code)" "embeddings on anthropic: 400"
out=$(post /v1/messages $ENG '{"model":"claude-3-5-haiku","messages":[{"role":"user","content":"Hi"}]}')
assert_eq "400 missing_field" "$(status_of "$out") $(body_of "$out" | jq -r .error.code)" "messages without max_tokens: 400"
expect_ledger 5 658000 "after refusals"
finish
