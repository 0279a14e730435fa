#!/usr/bin/env bash
# /v1/embeddings, /v1/completions, /v1/responses (JSON and stream) on OpenAI and chat on Azure OpenAI:
# every route priced, reserved and settled exactly; unknown routes are 404 and never forwarded.
source "$(dirname "$0")/providers_lib.sh"
start_providers_stack
ENG=kt_cg_engineering_abc123

# 1. Embeddings: input cost only (nothing reserved for output), settled from usage.prompt_tokens.
out=$(post /v1/embeddings $ENG '{"model":"text-embedding-3-small","input":["hello world","foo"]}')
assert_eq "200 2" "$(status_of "$out") $(body_of "$out" | jq '.data | length')" "embeddings: 200 with two vectors"
# mock: (2 words + 1) + (1 + 1) = 5 tokens x 0.0001 per 1K = 0.0000005
expect_ledger 1 500 "embeddings"
assert_eq '{"route":"/v1/embeddings","output_tokens_reserved":0,"prompt_tokens":5,"completion_tokens":0}' \
  "$(last_event '{route, output_tokens_reserved, prompt_tokens: .usage.prompt_tokens, completion_tokens: .usage.completion_tokens}')" \
  "embeddings: no output reserved"

# 2. Legacy completions: prompt string, max_tokens.
out=$(post /v1/completions $ENG '{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7}')
assert_eq "200 text_completion length" "$(status_of "$out") $(body_of "$out" | jq -r '"\(.object) \(.choices[0].finish_reason)"')" "completions: 200"
assert_eq "/v1/completions" "$(mock_last | jq -r .path)" "completions: sent to /v1/completions"
# 12 prompt x 0.0015 + 7 completion x 0.002 per 1K = 0.000032
expect_ledger 2 32500 "completions"

# 3. Responses (JSON): cached input at its own price; reasoning tokens are inside output_tokens.
out=$(post /v1/responses $ENG '{"model":"gpt-4o-mini","input":"Tell me a joke [mock:reasoning_tokens=5] [mock:cached_tokens=4]","max_output_tokens":30}')
assert_eq '200 {"input_tokens":13,"input_tokens_details":{"cached_tokens":4},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":5},"total_tokens":33}' \
  "$(status_of "$out") $(body_of "$out" | jq -c .usage)" "responses: answer passed through"
# 9 x 0.00015 + 4 x 0.000075 + 20 x 0.0006 per 1K = 0.00001365
expect_ledger 3 46150 "responses"
assert_eq '{"route":"/v1/responses","prompt_tokens":13,"cached_tokens":4,"completion_tokens":20,"reasoning_tokens":5,"cost":1.365e-05}' \
  "$(last_event '{route, prompt_tokens: .usage.prompt_tokens, cached_tokens: .usage.cached_tokens, completion_tokens: .usage.completion_tokens, reasoning_tokens: .usage.reasoning_tokens, cost}')" \
  "responses: the event records each token kind"

# 4. Responses (stream): events pass through; usage from response.completed.
out=$(stream_post /v1/responses $ENG '{"model":"gpt-4o-mini","stream":true,"instructions":"Be poetic","input":[{"role":"user","content":[{"type":"input_text","text":"Write a short haiku"}]}]}')
assert_eq "response.created response.output_text.delta response.output_text.delta response.output_text.done response.completed" \
  "$(grep '^event: ' <<<"$out" | sed 's/^event: //' | tr '\n' ' ' | sed 's/ $//')" "responses stream: events unchanged"
assert_eq "Servers hum softly Data drifts through endless sky The cloud holds our dreams" \
  "$(sse_data "$out" | jq -rj 'select(.type == "response.output_text.delta") | .delta' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//')" "responses stream: text"
assert_eq "null" "$(mock_last | jq -r '.body | fromjson | .stream_options')" "responses stream: no stream_options added"
# 14 x 0.00015 + 25 x 0.0006 per 1K = 0.0000171
expect_ledger 4 63250 "responses stream"

# 5. Azure OpenAI: deployment URL, api-version, api-key header.
out=$(post /v1/chat/completions $ENG '{"model":"gpt-4o","messages":[{"role":"user","content":"hi there"}]}')
assert_eq "200 20" "$(status_of "$out") $(body_of "$out" | jq .usage.completion_tokens)" "azure: 200"
last=$(mock_last)
assert_eq "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-06-01" "$(jq -r .path <<<"$last")" "azure: deployment URL"
assert_eq "az-test-key|null" "$(jq -r '[.headers["api-key"], (.headers.authorization // "null")] | join("|")' <<<"$last")" "azure: api-key header"
# 9 x 0.0025 + 20 x 0.01 per 1K = 0.0002225
expect_ledger 5 285750 "azure chat"
out=$(stream_post /v1/chat/completions $ENG '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}')
assert_contains "$out" "data: [DONE]" "azure stream: [DONE]"
assert_eq 0 "$(sse_data "$out" | jq -s '[.[] | select(.usage != null)] | length')" "azure stream: the usage chunk the gateway asked for is hidden"
# 14 x 0.0025 + 25 x 0.01 per 1K = 0.000285
expect_ledger 6 570750 "azure stream"
assert_eq '"azure"' "$(last_event .target)" "azure: the event names the target"

# 6. Budgets hold on every route; unknown routes are 404 and never forwarded.
hits=$(mock_hits)
for route in /v1/responses /v1/completions; do
  out=$(post $route kt_cg_marketing_def456 '{"model":"gpt-4o-mini","input":"hi","prompt":"hi","max_output_tokens":1000,"max_tokens":1000}')
  assert_eq 402 "$(status_of "$out")" "$route: 402 when the wallet cannot pay"
done
for route in /v1/audio/speech /v1/images/generations /v1/chat/completions/extra; do
  out=$(post $route $ENG '{"model":"gpt-4o-mini","input":"hi"}')
  assert_eq 404 "$(status_of "$out")" "$route: 404"
done
assert_eq "$hits" "$(mock_hits)" "refused and unknown routes never reach the upstream"
out=$(post /v1/embeddings $ENG '{"model":"text-embedding-3-small","input":[[1,2,3]]}')
assert_eq "400 unsupported_field" "$(status_of "$out") $(body_of "$out" | jq -r .error.code)" "embeddings: token arrays refused"
expect_ledger 6 570750 "after refusals"
finish
