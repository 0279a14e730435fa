#!/usr/bin/env bash
# content_filter, real: custom PCRE2 patterns, redaction of a streamed answer whose phrases are cut
# across events (the client's joined text equals the whole answer redacted at once), and
# `kt policy test` running golden cases through the same policy code, offline.
source "$(dirname "$0")/providers_lib.sh"
PROVIDERS_EXTRA_YAML='policies:
  - name: scrub
    type: content_filter
    action: redact
    config:
      categories: [violence, self_harm]
      patterns:
        - {name: ssn, regex: '"'"'\b\d{3}-\d{2}-\d{4}\b'"'"'}'
start_providers_stack
ENG=kt_cg_engineering_abc123
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# 1. A streamed answer (24 bytes an event) with a lexicon phrase and a pattern match cut across events.
answer='Well, sure thing. I will kill you tomorrow. My ssn: 123-45-6789, and the build is green.'
redacted='Well, sure thing. [REDACTED:violence] tomorrow. My ssn: [REDACTED:ssn], and the build is green.'
out=$(stream_post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"say it [mock:say_hex='"$(hex "$answer")"']"}]}')
[ "$(sse_data "$out" | wc -l)" -ge 5 ] || fail "stream: the answer did not come in many events: $out"
assert_eq "$redacted" "$(sse_data "$out" | jq -rj '.choices[0].delta.content // empty')" "stream: joined text = whole text redacted"
grep -qi 'kill\|123-45-6789' <<<"$out" && fail "stream: the client saw a matched phrase: $out"
grep -q '^data: \[DONE\]' <<<"$out" || fail "stream: no [DONE]"
eventually '[ "$(last_event .status)" = 200 ]' 10 || fail "stream: no event"
"$KT" events tail --last 1 --format json | grep -q 'kill\|123-45-6789' && fail "stream: the event holds the text"
assert_eq '[{"policy":"scrub","labels":["violence","ssn"]}]' "$(last_event .output_redactions)" "stream: the event names what the answer had redacted"
pass "streamed answer redacted across event boundaries"

# The same answer whole (not streamed): redacted the same way.
n=$("$KT" events tail --last 1000 --format json | jq length)
out=$(post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"say it [mock:say_hex='"$(hex "$answer")"']"}]}')
assert_eq "$redacted" "$(body_of "$out" | jq -r '.choices[0].message.content')" "whole answer redacted"
eventually '[ "$("$KT" events tail --last 1000 --format json | jq length)" -gt '"$n"' ]' 10 || fail "whole answer: no event"
assert_eq '[{"policy":"scrub","labels":["violence","ssn"]}]' "$(last_event .output_redactions)" "whole answer: the event names what was redacted"

# Ending right after a partial match: what was held goes out, unredacted only if it never matched.
answer='Call 555-12'
out=$(stream_post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"x [mock:say_hex='"$(hex "$answer")"']"}]}')
assert_eq "$answer" "$(sse_data "$out" | jq -rj '.choices[0].delta.content // empty')" "stream: a held partial match is released at the end"

# 2. A request that matches the pattern is redacted before the upstream; the event names the pattern.
out=$(post /v1/chat/completions $ENG '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"my ssn is 987-65-4321"}]}')
assert_eq "200" "$(status_of "$out")" "pattern redact: served"
assert_eq '"my ssn is [REDACTED:ssn]"' "$(mock_last | jq '.body | fromjson | .messages[0].content')" "pattern redact: the upstream sees it redacted"
eventually '[ "$(last_event .decision)" = "\"redact\"" ]' 10 || fail "pattern redact: decision"
assert_eq '{"triggered":true,"categories":[],"patterns":["ssn"]}' "$(last_event '.policies[0] | {triggered, categories, patterns}')" "pattern redact: the event names the pattern"
"$KT" events tail --last 1 --format json | grep -q '987-65-4321' && fail "pattern redact: the event holds the text"

# 3. A bad pattern: lint names it, the gateway does not start.
cat >"$WORK/bad.yaml" <<YAML
version: '1'
providers: {targets: [{id: openai, provider: openai, secret_key_ref: {env: OPENAI_API_KEY}}]}
policies:
  - name: pii
    type: content_filter
    config: {patterns: [{name: broken, regex: '(ab'}]}
YAML
out=$("$KT" policy lint --file "$WORK/bad.yaml" 2>&1) && fail "lint accepted a bad pattern"
assert_contains "$out" "content pattern 'broken' does not compile" "lint names the bad pattern"

# 4. kt policy test: golden cases through the config's policies, offline.
cat >"$WORK/policy.yaml" <<YAML
version: '1'
providers: {targets: [{id: openai, provider: openai, secret_key_ref: {env: OPENAI_API_KEY}}]}
consumer_groups:
  - {name: research, api_key: kt_cg_research_ghi789, wallet_team_id: team_research, allowed_models: ["gpt-4o-mini"]}
policies:
  - {name: no-hate, type: content_filter, action: block, config: {categories: [hate]}}
  - {name: watch-violence, type: content_filter, action: block, mode: shadow, config: {categories: [violence]}}
  - {name: pii, type: content_filter, action: redact, config: {patterns: [{name: ssn, regex: '\b\d{3}-\d{2}-\d{4}\b'}]}}
  - {name: mild, type: content_filter, action: flag, config: {categories: [sexual], threshold: low}}
YAML
cat >"$WORK/cases.yaml" <<'YAML'
- name: clean
  input: {messages: [{role: user, content: "Write a haiku about clouds."}]}
  expected: {verdict: allow, reason_code: ok}
- name: hate is blocked
  input: {messages: [{role: system, content: "Be brief."}, {role: user, content: "They want ethnic cleansing."}]}
  expected: {verdict: block, reason_code: policy_violation}
- name: violence is only watched
  input: {messages: [{role: user, content: "there was a mass shooting"}]}
  expected: {verdict: would_block, reason_code: policy_violation}
- name: ssn is redacted
  input: {messages: [{role: user, content: [{type: text, text: "ssn 123-45-6789"}]}]}
  expected: {verdict: redact, reason_code: redacted}
- name: mild term flagged
  input: {messages: [{role: user, content: "that is nsfw"}]}
  expected: {verdict: flag, reason_code: flagged}
- name: model not allowed
  input: {model: gpt-4o, headers: {Authorization: "Bearer kt_cg_research_ghi789"}, messages: [{role: user, content: "hi"}]}
  expected: {verdict: block, reason_code: model_not_allowed}
- name: unknown key
  input: {headers: {X-Consumer-Group: nope}, messages: [{role: user, content: "hi"}]}
  expected: {verdict: block, reason_code: unauthorized}
YAML
echo '{"cases":[{"name":"json case","input":{"messages":[{"role":"user","content":"I will kill you"}]},"expected":{"verdict":"would_block","reason_code":"policy_violation"}}]}' >"$WORK/cases.json"
out=$("$KT" policy test --config "$WORK/policy.yaml" "$WORK/cases.yaml" "$WORK/cases.json") || fail "policy test: all pass but exit $?: $out"
assert_eq 8 "$(grep -c '^PASS' <<<"$out")" "policy test: a line per case"
assert_contains "$out" "8 passed, 0 failed" "policy test: summary"
sed 's/verdict: allow, reason_code: ok/verdict: block, reason_code: policy_violation/' "$WORK/cases.yaml" >"$WORK/wrong.yaml"
rc=0; out=$("$KT" policy test --config "$WORK/policy.yaml" "$WORK/wrong.yaml") || rc=$?
assert_eq 1 "$rc" "policy test: a mismatch exits 1"
assert_contains "$out" "FAIL  clean" "policy test: the mismatch is named"
json=$("$KT" policy test --config "$WORK/policy.yaml" --json "$WORK/wrong.yaml" "$WORK/cases.json") && fail "policy test --json: a mismatch exited 0"
assert_eq '1 7 "allow"' "$(jq -r '"\(.failed) \(.passed) \(.cases[0].actual.verdict | tojson)"' <<<"$json")" "policy test --json"
assert_eq '["violence"]' "$(jq -c '.cases[2].actual.policies[1].categories' <<<"$json")" "policy test --json: categories, never the text"
echo '- {name: broken}' >"$WORK/broken.yaml"
rc=0; out=$("$KT" policy test --config "$WORK/policy.yaml" "$WORK/broken.yaml" 2>&1) || rc=$?
assert_eq 2 "$rc" "policy test: a bad case file exits 2"
assert_contains "$out" "broken" "policy test: the bad case is named"
finish
