#!/usr/bin/env bash
# Explain-why (GET /v1/events/{id}/explain, `kt events why`) and the cost headers, with exact
# figures. gpt-4o-mini costs 0.00015 / 0.0006 per 1k tokens; the gateway counts the prompt below as
# 16 tokens, so max_tokens 1000 holds 16 x 150 + 1000 x 600 = 602,400 nano-dollars; the mock answers with 9
# prompt and 900 output tokens: 9 x 150 + 900 x 600 = 541,350.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 1
allocate team_marketing 0.0001
start_example_gateway --threads 1  # one worker: its leases are all of the team's
VIEWER=$("$KT" tokens create --name explain-viewer --scope viewer 2>/dev/null)
req='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'

# --- Headers: a whole answer carries its settled cost and what remains after it.
curl -sS -D "$WORK/h1" -o /dev/null "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
  -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$req"
hdr() { grep -i "^$1:" "$2" | cut -d' ' -f2 | tr -d '\r'; }
assert_eq "0.00054135" "$(hdr x-kt-cost-usd "$WORK/h1")" "x-kt-cost-usd: the settled cost"
assert_eq "0.99945865" "$(hdr x-kt-budget-remaining-usd "$WORK/h1")" "x-kt-budget-remaining-usd: 1 - 0.00054135"
assert_eq "" "$(hdr x-kt-reserved-usd "$WORK/h1")" "no reserved header on a whole answer"
# A stream: its headers go out before the cost is known: what is held for it instead.
stream_req=$(jq -c '.stream = true' <<<"$req")
curl -sS -N -D "$WORK/h2" -o /dev/null "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
  -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$stream_req"
assert_eq "0.0006024" "$(hdr x-kt-reserved-usd "$WORK/h2")" "x-kt-reserved-usd: the stream's hold"
assert_eq "0.99885625" "$(hdr x-kt-budget-remaining-usd "$WORK/h2")" "remaining with the stream's hold counted"
assert_eq "" "$(hdr x-kt-cost-usd "$WORK/h2")" "no cost header on a stream"

# --- Explain an answered request.
eventually '[ "$("$KT" events tail --last 2 --format json | jq length)" = 2 ]' 10 || fail "two decision events expected"
id=$("$KT" events tail --last 2 --format json | jq -r '[.[] | select(.stream == false)][0].id')
x=$(curl -sS "$KEEPTRUSTS_API_URL/v1/events/$id/explain" -H "Authorization: Bearer $VIEWER")
assert_eq "engineering team_engineering gpt-4o-mini allow 200" \
  "$(jq -r '"\(.consumer_group) \(.team_id) \(.model) \(.decision) \(.status)"' <<<"$x")" "who and what"
assert_eq "1 0.00015 0.0006" "$(jq -r '.price | "\(.version) \(.input_cost_per_1k_tokens) \(.output_cost_per_1k_tokens)"' <<<"$x")" \
  "the price version and prices used"
assert_eq "16 1000 1 1000" "$(jq -r '.estimate | "\(.prompt_tokens) \(.max_tokens) \(.n) \(.output_tokens_reserved)"' <<<"$x")" \
  "the estimate's parts"
exact() { grep -o "\"$1\":[0-9.]*" <<<"$2" | head -n1 | cut -d: -f2; }  # money as sent (jq would go through doubles)
assert_eq "0.0000024 0.0006 0.0006024" "$(exact input_cost "$x") $(exact output_cost "$x") $(exact total "$x")" \
  "the estimate's costs, exact"
assert_eq "reservation 0.0006024 true" "$(jq -r '.hold.on' <<<"$x") $(exact amount "$x") $(jq -r '.hold.key == .request_id + ":1"' <<<"$x")" \
  "held as a reservation under the request's key (a team's first request: no lease yet)"
assert_eq "0.00054135 900 0.00006105" "$(exact cost "$x") $(jq -r .settled.completion_tokens <<<"$x") $(exact returned_to_budget "$x")" \
  "settled, and what went back"
assert_contains "$(jq -r .settled.why <<<"$x")" "900 output tokens (1000 reserved)" "why the settle differs"
assert_eq "1 ok true null" "$(jq -r '"\(.attempts | length) \(.attempts[0].outcome) \(.attempts[0].charged) \(.refusal)"' <<<"$x")" \
  "every attempt; no refusal"

# --- A refusal: 0.0001 budget, 602,400 asked. Largest max_tokens that fits: (100000 - 2400) / 600 = 162.
out=$(curl -sS -D "$WORK/h3" -w '\nHTTP %{http_code}\n' "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
  -H "X-Consumer-Group: kt_cg_marketing_def456" -d "$req")
assert_eq "HTTP 402" "$(tail -n1 <<<"$out")" "refused"
assert_contains "$(hdr x-kt-request-id "$WORK/h3")" "req_" "the refusal carries X-Kt-Request-Id"
rid=$(hdr x-kt-request-id "$WORK/h3")
eventually "\"\$KT\" events tail --last 5 --format json | jq -e '.[] | select(.request_id == \"$rid\")'" 10 || fail "refusal event"
rid_event=$("$KT" events tail --last 5 --format json | jq -r ".[] | select(.request_id == \"$rid\") | .id")
x=$(api GET "/v1/events/$rid_event/explain")
assert_eq "remaining_budget 0.0001 0 0.0001 0.0006024" \
  "$(jq -r '.refusal | "\(.limit) \(.figures.budget) \(.figures.spent) \(.figures.remaining) \(.figures.estimated_cost)"' <<<"$x")" \
  "the limit that bound and the figures at that moment"
assert_eq "allocate 0.0005024" "$(jq -r '.refusal.would_pass[0] | "\(.action) \(.amount)"' <<<"$x")" "allocate the shortfall"
assert_eq "lower_max_tokens 162" "$(jq -r '.refusal.would_pass[1] | "\(.action) \(.max_tokens)"' <<<"$x")" "lower max_tokens to 162"
assert_eq "wait_until $(balance team_marketing | jq -r .period_ends_at)" \
  "$(jq -r '.refusal.would_pass[-1] | "\(.action) \(.at)"' <<<"$x")" "or wait for the next period"
why=$("$KT" events why "$rid_event")
assert_contains "$why" "Would pass: lower max_tokens to 162" "kt events why prints what would pass"
assert_contains "$why" "Consumer group marketing, team team_marketing, model gpt-4o-mini" "kt events why names the group"
# What it says is true: 163 is refused, 162 passes.
small() { sed "s/1000/$1/; s/=900/=100/" <<<"$req"; }  # the same 16 prompt tokens
assert_eq "HTTP 402" "$(chat kt_cg_marketing_def456 "$(small 163)" | tail -n1)" "max_tokens 163 still refused"
assert_eq "HTTP 200" "$(chat kt_cg_marketing_def456 "$(small 162)" | tail -n1)" "max_tokens 162 passes"

# --- Bad input: 400 for a malformed id, 404 for an unknown one, 401 without a token; nothing changes.
for bad in not-an-id evt_123 evt_ZZZZZZZZZZZZZZZZZZZZZZZZ; do
  code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/events/$bad/explain" -H "Authorization: Bearer $VIEWER")
  assert_eq "400 invalid_request_error" "$code $(jq -r .error.type "$WORK/bad.json")" "malformed id $bad: 400"
done
code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/events/evt_0000000000000000000000ff/explain" \
  -H "Authorization: Bearer $VIEWER")
assert_eq "404 not_found" "$code $(jq -r .error.code "$WORK/bad.json")" "unknown id: 404"
assert_eq "401" "$(curl -sS -o /dev/null -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/events/$id/explain")" "no token: 401"
"$KT" events why nope >/dev/null 2>"$WORK/why.err" && fail "kt events why accepted a bad id" || pass "kt events why: bad id fails"
assert_contains "$(cat "$WORK/why.err")" "not an event id" "kt events why says why"
finish
