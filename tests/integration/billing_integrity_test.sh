#!/usr/bin/env bash
# Billing integrity: what kt prices is what the upstream reads. Duplicate keys are refused on every
# route and API body, unpriced models are refused (aliases only where the config names them),
# absurd max_tokens / n are refused before anything is reserved, a stream cannot hide its usage.
# Every refusal: the envelope, the status, nothing reserved or forwarded, a decision event.
source "$(dirname "$0")/providers_lib.sh"
PROVIDERS_EXTRA_YAML='model_aliases:
  gpt-4o-mini-2024-07-18: gpt-4o-mini'
start_providers_stack
ENG=kt_cg_engineering_abc123
hits=$(mock_hits)

# refused ROUTE BODY STATUS CODE MESSAGE [PARAM]: the error, nothing forwarded, nothing held, an event.
refused() {
  local out body events_before
  events_before=$("$KT" events tail --last 1000 --format json | jq length)
  out=$(post "$1" $ENG "$2")
  body=$(body_of "$out")
  assert_eq "$3 invalid_request_error $4" "$(status_of "$out") $(jq -r '"\(.error.type) \(.error.code)"' <<<"$body")" "$5"
  [ -n "$(jq -r .error.message <<<"$body")" ] || fail "$5: no message"
  [ -z "${6:-}" ] || assert_eq "$6" "$(jq -r .error.param <<<"$body")" "$5: the envelope names the key path"
  assert_eq "$hits" "$(mock_hits)" "$5: nothing reached the upstream"
  assert_eq "0" "$(balance team_engineering | jq -r .reserved)" "$5: nothing reserved"
  eventually '[ "$("$KT" events tail --last 1000 --format json | jq length)" -gt '"$events_before"' ]' 10 ||
    fail "$5: no decision event"
  assert_eq "block $3" "$(last_event '"\(.decision) \(.status)"' | tr -d '"')" "$5: the event records the refusal"
}

# 1. Duplicate keys, any route, any depth (a parser keeping the other one would answer another model).
refused /v1/chat/completions '{"model":"gpt-4o-mini","model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' \
  400 duplicate_key "chat: duplicate model" model
refused /v1/chat/completions '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a","content":"b"}]}' \
  400 duplicate_key "chat: duplicate nested key" "messages[0].content"
refused /v1/chat/completions '{"model":"gpt-4o-mini","mod\u0065l":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' \
  400 duplicate_key "chat: duplicate spelled with an escape" model
refused /v1/chat/completions '{"model":"gpt-4o-mini","stream":false,"stream":true,"messages":[{"role":"user","content":"hi"}]}' \
  400 duplicate_key "chat: stream false then true" stream
refused /v1/chat/completions '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"stream_options":null,"messages":[{"role":"user","content":"hi"}]}' \
  400 duplicate_key "chat: stream_options null after an object" stream_options
refused /v1/completions '{"model":"gpt-3.5-turbo-instruct","prompt":"a","prompt":"b","max_tokens":5}' \
  400 duplicate_key "completions: duplicate prompt" prompt
refused /v1/embeddings '{"model":"text-embedding-3-small","input":["a"],"input":"b"}' \
  400 duplicate_key "embeddings: duplicate input" input
refused /v1/responses '{"model":"gpt-4o-mini","input":[{"role":"user","content":[{"type":"input_text","text":"a","text":"b"}]}]}' \
  400 duplicate_key "responses: duplicate in a content part" "input[0].content[0].text"
refused /v1/messages '{"model":"claude-3-5-haiku","max_tokens":10,"max_tokens":5000,"messages":[{"role":"user","content":"hi"}]}' \
  400 duplicate_key "messages: duplicate max_tokens" max_tokens
refused /v1/chat/completions '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":"yes"}' \
  400 invalid_field "chat: stream must be a boolean"

# 2. Unknown models: refused by default, with how to price them; a dated name only through model_aliases.
refused /v1/chat/completions '{"model":"gpt-unpriced","messages":[{"role":"user","content":"hi"}]}' \
  400 unknown_model "unpriced model"
assert_contains "$(body_of "$(post /v1/chat/completions $ENG '{"model":"gpt-unpriced","messages":[{"role":"user","content":"hi"}]}')")" \
  "POST /v1/model-pricing" "unknown_model: the message says how to price it"
assert_eq '"unknown_model"' "$(last_event .reason)" "unknown_model: the event's reason"
refused /v1/chat/completions '{"model":"gpt-4o-mini-2099-01-01","messages":[{"role":"user","content":"hi"}]}' \
  400 unknown_model "a dated name not in model_aliases is not guessed from its prefix"
refused /v1/embeddings '{"model":"text-embedding-unpriced","input":"hi"}' 400 unknown_model "embeddings: unpriced model"

out=$(post /v1/chat/completions $ENG '{"model":"gpt-4o-mini-2024-07-18","messages":[{"role":"user","content":"Write a haiku"}]}')
assert_eq "200" "$(status_of "$out")" "alias: served"
assert_eq '"gpt-4o-mini-2024-07-18"' "$(mock_last | jq '.body | fromjson | .model')" "alias: the upstream gets the client's model"
eventually '[ "$(last_event .model)" = "\"gpt-4o-mini-2024-07-18\"" ]' 10 || fail "alias: no event"
# 14 prompt + 25 completion tokens at gpt-4o-mini's price: 14 * 0.00015/1k + 25 * 0.0006/1k.
assert_eq "17100" "$(last_event .cost | nanos)" "alias: priced as gpt-4o-mini (nano-dollars)"
hits=$(mock_hits)

# 3. Absurd output asks: refused before anything is priced or reserved.
refused /v1/chat/completions '{"model":"gpt-4o-mini","max_tokens":2147483648,"messages":[{"role":"user","content":"hi"}]}' \
  400 max_tokens_too_large "max_tokens of 2^31"
refused /v1/chat/completions '{"model":"gpt-4o-mini","max_tokens":16384001,"messages":[{"role":"user","content":"hi"}]}' \
  400 max_tokens_too_large "max_tokens over the model cap x 1000"
refused /v1/chat/completions '{"model":"gpt-4o-mini","max_completion_tokens":99999999999999999999,"messages":[{"role":"user","content":"hi"}]}' \
  400 max_tokens_too_large "max_completion_tokens past int64"
refused /v1/chat/completions '{"model":"gpt-4o-mini","n":129,"messages":[{"role":"user","content":"hi"}]}' 400 n_too_large "n of 129"
refused /v1/chat/completions '{"model":"gpt-4o-mini","n":9223372036854775807,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}' \
  400 n_too_large "n x max_tokens past int64"
refused /v1/chat/completions '{"model":"gpt-4o-mini","n":0,"messages":[{"role":"user","content":"hi"}]}' 400 invalid_field "n of 0"
refused /v1/completions '{"model":"gpt-3.5-turbo-instruct","prompt":"a","max_tokens":18446744073709551615}' \
  400 max_tokens_too_large "completions: max_tokens past int64"
refused /v1/messages '{"model":"claude-3-5-haiku","max_tokens":4294967296,"messages":[{"role":"user","content":"hi"}]}' \
  400 max_tokens_too_large "messages: max_tokens of 2^32"
refused /v1/responses '{"model":"gpt-4o-mini","input":"hi","max_output_tokens":2147483648}' \
  400 max_tokens_too_large "responses: max_output_tokens of 2^31"

# 4. A stream whose client sent stream_options:null still reports usage: kt merges include_usage in.
out=$(stream_post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","stream":true,"stream_options":null,"messages":[{"role":"user","content":"Write a haiku"}]}')
assert_eq '{"include_usage":true}' "$(mock_last | jq -c '.body | fromjson | .stream_options')" "stream_options:null: usage asked for once"
assert_eq "1" "$(mock_last | jq -r .body | grep -o '"stream_options"' | wc -l | tr -d ' ')" "stream_options: one key upstream"
eventually '[ "$(last_event .usage_source)" = "\"provider\"" ]' 10 || fail "stream_options:null: usage not from the provider"
hits=$(mock_hits)

# 5. The API's JSON bodies follow the same rule.
A=(-H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" -H "Content-Type: application/json")
before=$(balance team_engineering | jq -c '{budget, spent}')
out=$(curl -sS -w "\nHTTP %{http_code}\n" "$KEEPTRUSTS_API_URL/v1/wallets/allocate" "${A[@]}" \
  -d '{"team_id":"team_engineering","amount":1,"amount":1000}')
assert_eq "400 duplicate_key amount" "$(status_of "$out") $(body_of "$out" | jq -r '"\(.error.code) \(.error.param)"')" "API allocate: duplicate amount"
out=$(curl -sS -w "\nHTTP %{http_code}\n" "$KEEPTRUSTS_API_URL/v1/model-pricing" "${A[@]}" \
  -d '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006,"output_cost_per_1k_tokens":0}')
assert_eq "400 duplicate_key" "$(status_of "$out") $(body_of "$out" | jq -r .error.code)" "API pricing: duplicate price"
out=$(curl -sS -w "\nHTTP %{http_code}\n" "$KEEPTRUSTS_API_URL/v1/events/batch" "${A[@]}" \
  --data-binary $'{"id":"evt_dup_1","type":"decision"}\n{"id":"evt_dup_2","id":"evt_dup_3","type":"decision"}')
assert_eq "400 line 2: id" "$(status_of "$out") $(body_of "$out" | jq -r .error.param)" "API events batch: duplicate in line 2"
out=$(curl -sS -w "\nHTTP %{http_code}\n" "$KEEPTRUSTS_API_URL/v1/model-pricing" "${A[@]}" \
  -d '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006,"max_output_tokens":2147483648}')
assert_eq "400 invalid_field" "$(status_of "$out") $(body_of "$out" | jq -r .error.code)" "API pricing: max_output_tokens of 2^31"
assert_eq "$before" "$(balance team_engineering | jq -c '{budget, spent}')" "API: nothing changed"
assert_eq "0.0006" "$(api GET /v1/model-pricing | jq -r '.[] | select(.model == "gpt-4o-mini") | .output_cost_per_1k_tokens')" \
  "API: price unchanged"
assert_eq "$hits" "$(mock_hits)" "nothing more reached the upstream"
finish
