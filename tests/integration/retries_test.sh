#!/usr/bin/env bash
# Retries, fallbacks and Idempotency-Key replay: each attempt reserves under its own key, only the
# attempt that answered is charged (at the model that answered), a repeat is replayed and never
# charged twice. The ledger is checked exactly after each step.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
start_mock_and_api
api POST /v1/model-pricing '{"model":"gpt-4o","provider":"openai","input_cost_per_1k_tokens":0.0025,"output_cost_per_1k_tokens":0.01}' >/dev/null
allocate team_engineering 5
cat >"$WORK/policy-config.yaml" <<YAML
version: '1'
providers:
  targets:
    - id: primary
      provider: openai
      base_url: $MOCK_URL/v1
      secret_key_ref: {env: OPENAI_API_KEY}
      timeout_ms: 1500
      retries: {max: 1, backoff_ms: 50}
      fallbacks:
        - {target: backup, model: gpt-4o}
    - id: backup
      provider: openai
      base_url: $MOCK_URL/backup/v1
      secret_key_ref: {env: OPENAI_API_KEY}
      timeout_ms: 1500
$(engineering_enforced_yaml)
YAML
lint=$("$KT" policy lint --file "$WORK/policy-config.yaml") || fail "lint: $lint"
start_gateway "$WORK/policy-config.yaml"
ENG=kt_cg_engineering_abc123
MINI_IN=150000; MINI_OUT=600000; O_IN=2500000; O_OUT=10000000  # nano-dollars per 1k tokens
SPENT=0; EVENTS=0
# The reservations of one request, one line per attempt key (read from the API's SQLite file).
reservations_of() {
  sqlite3 "$WORK/kt.db" "SELECT substr(key, length('$1') + 2) || ' ' || state FROM reservations WHERE key LIKE '$1:%' ORDER BY key" | tr '\n' ' ' | sed 's/ $//'
}
check_reservations() {  # REQUEST_ID EXPECTED MESSAGE
  assert_eq "$2" "$(reservations_of "$1")" "$3"  # sqlite3: scripts/setup.sh installs it; missing, the test fails
}
charge() {  # add the cost of an event's usage at a price to the expected spend
  local ev=$1 in=$2 out=$3
  SPENT=$((SPENT + $(cost_nanos "$(jq .usage.prompt_tokens <<<"$ev")" "$(jq .usage.completion_tokens <<<"$ev")" "$in" "$out")))
}

# 1. 500 then 200 on the same target: one charge, the failed attempt's reservation released.
hits=$(mock_hits)
assert_eq 200 "$(req $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello [mock:fail_times=1:r1]"}]}')" "500 then 200: answered"
assert_eq $((hits + 2)) "$(mock_hits)" "500 then 200: two upstream attempts"
id=$(request_id); EVENTS=$((EVENTS + 1)); wait_events engineering $EVENTS
ev=$(event_of "$id")
assert_eq '[{"attempt":1,"target":"primary","model":"gpt-4o-mini","status":500,"outcome":"upstream_status_500","charged":false},{"attempt":2,"target":"primary","model":"gpt-4o-mini","status":200,"outcome":"ok","charged":true}]' \
  "$(jq -c .attempts <<<"$ev")" "500 then 200: the event records both attempts"
charge "$ev" $MINI_IN $MINI_OUT
assert_eq "$SPENT" "$(jq .cost <<<"$ev" | nanos)" "500 then 200: charged once at gpt-4o-mini"
ledger_exact team_engineering engineering $EVENTS $SPENT "500 then 200"
check_reservations "$id" "1 released 2 settled" "500 then 200: one reservation per attempt, the failed one released"

# 2. The primary fails twice (first try + retry): the fallback target answers with its model.
assert_eq 200 "$(req $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello again [mock:fail_times=2:f1]"}]}')" "fallback: answered"
last=$(curl -sS "$MOCK_URL/_mock/last")
assert_eq "/backup/v1/chat/completions gpt-4o" "$(jq -r '.path + " " + (.body | fromjson | .model)' <<<"$last")" "fallback: the backup target was asked for gpt-4o"
assert_eq "gpt-4o" "$(jq -r .model "$WORK/body")" "fallback: the answer is gpt-4o's"
id=$(request_id); EVENTS=$((EVENTS + 1)); wait_events engineering $EVENTS
ev=$(event_of "$id")
assert_eq '"gpt-4o gpt-4o-mini backup [1,2,3] [false,false,true]"' \
  "$(jq -c '"\(.model) \(.model_requested) \(.target) \([.attempts[].attempt]|tojson) \([.attempts[].charged]|tojson)"' <<<"$ev")" "fallback: event names the answering model and every attempt"
charge "$ev" $O_IN $O_OUT
assert_eq "$SPENT" "$(( $(balance team_engineering | jq .spent | nanos) ))" "fallback: charged at gpt-4o's price"
ledger_exact team_engineering engineering $EVENTS $SPENT "fallback"
check_reservations "$id" "1 released 2 released 3 settled" "fallback: only the answering attempt settled"

# 2b. A stream is retried too while nothing has reached the client.
out=$(curl -sN -D "$WORK/headers" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: $ENG" \
  -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing. [mock:fail_times=1:s1]"}]}')
assert_eq "data: [DONE]" "$(grep '^data: ' <<<"$out" | tail -n 1)" "stream retry: the second attempt streamed"
id=$(request_id); EVENTS=$((EVENTS + 1)); wait_events engineering $EVENTS
ev=$(event_of "$id")
assert_eq '[500,200]' "$(jq -c '[.attempts[].status]' <<<"$ev")" "stream retry: two attempts"
charge "$ev" $MINI_IN $MINI_OUT
ledger_exact team_engineering engineering $EVENTS $SPENT "stream retry"

# 3. Every attempt fails: the client gets the last failure, nothing is charged.
hits=$(mock_hits)
assert_eq 500 "$(req $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi [mock:status=500]"}]}')" "all attempts fail: 500"
assert_eq $((hits + 3)) "$(mock_hits)" "all attempts fail: primary twice, backup once"
assert_eq "server_error" "$(jq -r .error.type "$WORK/body")" "all attempts fail: the upstream's error body"
EVENTS=$((EVENTS + 1))
ledger_exact team_engineering engineering $EVENTS $SPENT "all attempts fail"

# 4. Timeouts are retried too, then answered with 502 upstream_timeout.
assert_eq 502 "$(req $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"slow [mock:delay_ms=2000]"}]}')" "timeouts: 502"
assert_eq "upstream_timeout" "$(jq -r .error.code "$WORK/body")" "timeouts: code"
id=$(request_id); EVENTS=$((EVENTS + 1)); wait_events engineering $EVENTS
assert_eq '["upstream_timeout","upstream_timeout","upstream_timeout"]' "$(event_of "$id" | jq -c '[.attempts[].outcome]')" "timeouts: three attempts"
ledger_exact team_engineering engineering $EVENTS $SPENT "timeouts"

# 5. Idempotency-Key: the repeat gets the first answer byte for byte, upstream hit once, one charge.
hits=$(mock_hits)
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"idempotent please"}]}'
assert_eq 200 "$(req $ENG "$body" -H "Idempotency-Key: key-1")" "idempotent: first"
cp "$WORK/body" "$WORK/first"; first_id=$(request_id)
assert_eq 200 "$(req $ENG "$body" -H "Idempotency-Key: key-1")" "idempotent: repeat"
cmp -s "$WORK/first" "$WORK/body" && pass "idempotent: replayed byte for byte" || fail "idempotent: bodies differ"
assert_contains "$(cat "$WORK/headers")" "Idempotent-Replayed: true" "idempotent: replay flagged"
assert_eq $((hits + 1)) "$(mock_hits)" "idempotent: upstream hit once"
second_id=$(request_id); EVENTS=$((EVENTS + 2)); wait_events engineering $EVENTS
charge "$(event_of "$first_id")" $MINI_IN $MINI_OUT
assert_eq "$first_id null" "$(event_of "$second_id" | jq -r '"\(.replay_of) \(.cost)"')" "idempotent: the replay's event costs nothing"
ledger_exact team_engineering engineering $EVENTS $SPENT "idempotent replay"
# Another consumer group's key space, and a different body under the same key (422).
assert_eq 422 "$(req $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"other"}]}' -H "Idempotency-Key: key-1")" "idempotent: key reused with another body"
assert_eq "idempotency_key_reused" "$(jq -r .error.code "$WORK/body")" "idempotent: 422 code"
EVENTS=$((EVENTS + 1))

# 6. A streamed answer is replayed as the recorded SSE body.
hits=$(mock_hits)
sbody='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
assert_eq 200 "$(req $ENG "$sbody" -H "Idempotency-Key: stream-1")" "idempotent stream: first"
cp "$WORK/body" "$WORK/first_stream"; first_id=$(request_id)
assert_eq 200 "$(req $ENG "$sbody" -H "Idempotency-Key: stream-1")" "idempotent stream: repeat"
cmp -s "$WORK/first_stream" "$WORK/body" && pass "idempotent stream: same SSE bytes" || fail "idempotent stream: bodies differ"
assert_contains "$(cat "$WORK/body")" "data: [DONE]" "idempotent stream: replay ends with [DONE]"
assert_eq $((hits + 1)) "$(mock_hits)" "idempotent stream: upstream hit once"
EVENTS=$((EVENTS + 2)); wait_events engineering $EVENTS
charge "$(event_of "$first_id")" $MINI_IN $MINI_OUT
ledger_exact team_engineering engineering $EVENTS $SPENT "idempotent stream"

# 7. A repeat while the first is still running: 409; the first still completes and is charged once.
slow='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"slowish [mock:delay_ms=1000]"}]}'
hits=$(mock_hits)
curl -sS -o "$WORK/slow_body" -D "$WORK/slow_headers" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
  -H "X-Consumer-Group: $ENG" -H "Idempotency-Key: busy-1" -d "$slow" &
slow_pid=$!
# Once the first has reached the upstream it surely holds the key.
eventually '[ "$(mock_hits)" -gt '"$hits"' ]' 5 || fail "concurrent duplicate: the first never reached the upstream"
assert_eq 409 "$(req $ENG "$slow" -H "Idempotency-Key: busy-1")" "concurrent duplicate: 409"
assert_eq "idempotency_conflict" "$(jq -r .error.type "$WORK/body")" "concurrent duplicate: type"
wait $slow_pid
assert_eq "ok" "$(jq -r '.choices[0].message.content | split(" ")[0]' "$WORK/slow_body")" "concurrent duplicate: the first answered"
EVENTS=$((EVENTS + 2)); wait_events engineering $EVENTS
charge "$(event_of "$(request_id "$WORK/slow_headers")")" $MINI_IN $MINI_OUT
ledger_exact team_engineering engineering $EVENTS $SPENT "concurrent duplicate"
# Once done, the same key replays.
assert_eq 200 "$(req $ENG "$slow" -H "Idempotency-Key: busy-1")" "after completion: replayed"
cmp -s "$WORK/slow_body" "$WORK/body" && pass "after completion: same body" || fail "after completion: bodies differ"
EVENTS=$((EVENTS + 1))
ledger_exact team_engineering engineering $EVENTS $SPENT "after completion"
finish
