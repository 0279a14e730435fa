#!/usr/bin/env bash
# Upstream faults (docs/operations.md "Faults and what they cost"): a connection reset mid-stream, an upstream
# that hangs before its head, garbage instead of HTTP, an HTML page instead of JSON, a 200 whose
# JSON is cut, a body shorter than its Content-Length, an upstream gone. For each: the client's status and envelope,
# the reservation released (or, for a stream that served tokens, billed at what was seen — never
# $0), one decision event with the fault as its reason, the gateway still healthy, and at the end
# `kt ledger verify` passes and the events add up to the spend to the nano-dollar.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
start_mock
MOCK_PID=${PIDS[-1]}
start_api
seed_pricing
allocate team_engineering 5
cat >"$WORK/policy-config.yaml" <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      base_url: $MOCK_URL/v1
      secret_key_ref: {env: OPENAI_API_KEY}
      timeout_ms: 1000
$(engineering_enforced_yaml)
YAML
start_gateway "$WORK/policy-config.yaml" --threads 1
ENG=kt_cg_engineering_abc123
EVENTS=0
# What the ledger holds once every request made so far is applied (a request's settle and its
# event land in one transaction): a snapshot taken earlier could miss the last served request.
spent_nanos() { wait_events engineering "$EVENTS"; balance team_engineering | jq .spent | nanos; }
body_of() { jq -nc --arg c "Write a short haiku about cloud computing. $1" '{model:"gpt-4o-mini",messages:[{role:"user",content:$c}]}'; }
stream_body_of() { body_of "$1" | jq -c '.stream = true'; }

# after_fault NAME: one event for the request just made (returned in $ev), nothing left reserved,
# the gateway healthy, and a normal request served on the same worker (no broken pooled
# connection reused).
after_fault() {
  local id; id=$(request_id)
  EVENTS=$((EVENTS + 1))
  wait_events engineering $EVENTS
  ev=$(event_of "$id")
  assert_eq 1 "$(events_of engineering | jq --arg id "$id" '[.[] | select(.request_id == $id)] | length')" "$1: one event"
  eventually '[ "$(balance team_engineering | jq .reserved | nanos)" = 0 ]' 5 || fail "$1: reservation still held: $(balance team_engineering)"
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$GW_URL/health")" "$1: the gateway answers /health"
}
# released NAME STATUS CODE MOCK: a JSON request that gets STATUS with error.code CODE; nothing billed.
released() {
  local before; before=$(spent_nanos)
  assert_eq "$2" "$(req $ENG "$(body_of "$4")")" "$1: status"
  assert_eq "$3" "$(jq -r .error.code "$WORK/body")" "$1: error code"
  assert_eq "upstream_error" "$(jq -r .error.type "$WORK/body")" "$1: error type"
  after_fault "$1"
  assert_eq "$before" "$(spent_nanos)" "$1: nothing billed"
  assert_eq "error null none" "$(jq -r '"\(.decision) \(.cost) \(.usage_source)"' <<<"$ev")" "$1: event says error, no cost"
  assert_eq 200 "$(req $ENG "$(body_of "")")" "$1: the next request is served"
  EVENTS=$((EVENTS + 1))
}

# 1. JSON answers that never came whole: released, 502 with a code naming the fault.
released "reset before the answer" 502 upstream_closed "[mock:reset_after=0]"
assert_eq upstream_closed "$(jq -r .reason <<<"$ev")" "reset before the answer: event reason"
released "garbage instead of HTTP" 502 upstream_bad_response "[mock:garbage]"
assert_eq upstream_bad_response "$(jq -r .reason <<<"$ev")" "garbage: event reason"
released "200 with an HTML page" 502 upstream_invalid_response "[mock:html=200]"
assert_eq "upstream_invalid_response 502 200" "$(jq -r '"\(.reason) \(.status) \(.upstream_status)"' <<<"$ev")" "HTML 200: event reason and statuses"
released "200 with cut JSON" 502 upstream_invalid_response "[mock:truncated_json]"
assert_eq "upstream_invalid_response 502 200" "$(jq -r '"\(.reason) \(.status) \(.upstream_status)"' <<<"$ev")" "cut JSON: event reason and statuses"
released "body shorter than its Content-Length" 502 upstream_closed "[mock:short_body]"
assert_eq upstream_closed "$(jq -r .reason <<<"$ev")" "short body: event reason"
# A proxy's HTML error page: its status is passed on, in the gateway's envelope (never the HTML).
released "503 with an HTML page" 503 upstream_invalid_response "[mock:html=503]"
assert_eq "upstream_status_503 503" "$(jq -r '"\(.reason) \(.upstream_status)"' <<<"$ev")" "HTML 503: event reason"
grep -q '<html>' "$WORK/body" && fail "HTML 503: the page reached the client" || pass "HTML 503: the page is not passed on"
assert_eq "application/json" "$(grep -i '^content-type:' "$WORK/headers" | tr -d '\r' | awk '{print $2}')" "HTML 503: JSON content type"

# 2. Hangs before its head: the target's timeout_ms (1 s) applies, JSON and stream alike.
released "hang before the head" 502 upstream_timeout "[mock:delay_ms=4000]"
took=$(( $(jq .upstream_latency_us <<<"$ev") / 1000 ))
[ "$took" -ge 1000 ] && [ "$took" -lt 2000 ] && pass "hang: given up after ${took} ms (timeout_ms 1000)" || fail "hang: took ${took} ms"
assert_eq upstream_timeout "$(jq -r .reason <<<"$ev")" "hang: event reason"
before=$(spent_nanos)
assert_eq 502 "$(req $ENG "$(stream_body_of "[mock:delay_ms=4000]")")" "stream hang: status"
assert_eq upstream_timeout "$(jq -r .error.code "$WORK/body")" "stream hang: error code"
after_fault "stream hang"
assert_eq "error upstream_timeout null" "$(jq -r '"\(.decision) \(.reason) \(.cost)"' <<<"$ev")" "stream hang: event"
assert_eq "$before" "$(spent_nanos)" "stream hang: nothing billed"
before=$(spent_nanos)
assert_eq 502 "$(req $ENG "$(stream_body_of "[mock:html=200]")")" "stream answered with an HTML page: status"
assert_eq upstream_invalid_response "$(jq -r .error.code "$WORK/body")" "stream answered with an HTML page: error code"
after_fault "stream answered with an HTML page"
assert_eq "error upstream_invalid_response null" "$(jq -r '"\(.decision) \(.reason) \(.cost)"' <<<"$ev")" "stream HTML: event"
assert_eq "$before" "$(spent_nanos)" "stream HTML: nothing billed"
assert_eq 200 "$(req $ENG "$(stream_body_of "")")" "stream HTML: the next stream is served"
EVENTS=$((EVENTS + 1))
before=$(spent_nanos)
assert_eq 502 "$(req $ENG "$(stream_body_of "[mock:garbage]")")" "stream garbage: status"
assert_eq upstream_bad_response "$(jq -r .error.code "$WORK/body")" "stream garbage: error code"
after_fault "stream garbage"
assert_eq "$before" "$(spent_nanos)" "stream garbage: nothing billed"

# 3. A stream reset (RST) after three events: the client has those events and then an error event
# (no [DONE]); the request is billed at the prompt + the tokens it was sent, never $0.
for fault in "reset:[mock:reset_after=3] [mock:chunk_delay_ms=100]" "close:[mock:drop] [mock:chunk_delay_ms=100]"; do
  name="stream ${fault%%:*}"
  before=$(spent_nanos)
  assert_eq 200 "$(req $ENG "$(stream_body_of "${fault#*:}")")" "$name: the stream had started"
  grep -q '^data: {"id":"chatcmpl-mock' "$WORK/body" && pass "$name: the client got the events sent" || fail "$name: no events: $(cat "$WORK/body")"
  assert_eq upstream_stream_interrupted "$(grep '^data: {"error"' "$WORK/body" | sed 's/^data: //' | jq -r .error.code)" "$name: an error event ends the stream"
  grep -qF 'data: [DONE]' "$WORK/body" && fail "$name: [DONE] after a broken stream" || pass "$name: no [DONE]"
  after_fault "$name"
  assert_eq "error upstream_stream_interrupted 200 estimated" "$(jq -r '"\(.decision) \(.reason) \(.status) \(.usage_source)"' <<<"$ev")" "$name: event"
  seen=$(jq .usage.completion_tokens <<<"$ev")
  [ "$seen" -ge 1 ] && [ "$seen" -lt 25 ] && pass "$name: $seen completion tokens seen" || fail "$name: $seen completion tokens billed"
  cost=$(cost_nanos "$(jq .usage.prompt_tokens <<<"$ev")" "$seen" 150000 600000)
  [ "$cost" -gt 0 ] && pass "$name: never \$0" || fail "$name: billed \$0"
  assert_eq "$cost" $(( $(spent_nanos) - before )) "$name: billed at prompt + tokens seen"
  assert_eq "$cost" "$(jq '.cost * 1000000000 | round' <<<"$ev")" "$name: the event's cost is the charge"
done

# 4. The upstream gone (connection refused).
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true
before=$(spent_nanos)
assert_eq 502 "$(req $ENG "$(body_of "")")" "upstream gone: status"
assert_eq upstream_unreachable "$(jq -r .error.code "$WORK/body")" "upstream gone: error code"
after_fault "upstream gone"
assert_eq "error upstream_unreachable null" "$(jq -r '"\(.decision) \(.reason) \(.cost)"' <<<"$ev")" "upstream gone: event"
assert_eq "$before" "$(spent_nanos)" "upstream gone: nothing billed"

ledger_exact team_engineering engineering $EVENTS "$(spent_nanos)" "after every fault"
out=$("$KT" ledger verify --database "sqlite:$WORK/kt.db" 2>&1) || fail "kt ledger verify: $out"
assert_contains "$out" "OK" "kt ledger verify passes"
finish
