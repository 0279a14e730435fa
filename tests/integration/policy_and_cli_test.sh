#!/usr/bin/env bash
# content_filter through the gateway (flag records and passes; block refuses with 409 before the
# upstream and the wallet), `kt events tail --follow`, and the CLI's missing-environment errors.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 5
write_config "$WORK/flag.yaml"
start_gateway "$WORK/flag.yaml"
hateful='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"They call for ethnic cleansing of the valley."}]}'
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$hateful" | tail -n1)" "flag: the request passes"
eventually '[ "$("$KT" events tail --last 1 --format json | jq -r ".[0].policies[0].triggered")" = true ]' || fail "flag not recorded"
assert_eq '{"name":"content-filter","type":"content_filter","action":"flag","mode":"enforce","triggered":true,"categories":["hate"],"patterns":[]}' \
  "$("$KT" events tail --last 1 --format json | jq -c '.[0].policies[0]')" "flag: the event records the policy result"

# --follow prints events as they arrive.
timeout 4 "$KT" events tail --last 1 --format json --follow >"$WORK/follow.txt" 2>&1 &
sleep 1.2
chat kt_cg_engineering_abc123 '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}' >/dev/null
eventually '[ "$(grep -c req_ "$WORK/follow.txt")" -ge 2 ]' 4 || fail "--follow did not print the new event: $(cat "$WORK/follow.txt")"
pass "--follow prints new events"

kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
sed 's/    action: flag/    action: block/' "$WORK/flag.yaml" >"$WORK/block.yaml"
start_gateway "$WORK/block.yaml"
before=$(balance team_engineering)
hits=$(mock_hits)
out=$(chat kt_cg_engineering_abc123 "$hateful")
assert_eq "HTTP 409" "$(tail -n1 <<<"$out")" "block: 409"
assert_eq "policy_violation input_blocked content-filter" "$(head -n -1 <<<"$out" | jq -r '"\(.error.type) \(.error.code) \(.error.policy)"')" "block: the envelope names the policy"
assert_eq "$hits" "$(mock_hits)" "block: the upstream never saw it"
assert_eq "$before" "$(balance team_engineering)" "block: no balance changed"
eventually '[ "$("$KT" events tail --last 1 --format json | jq -r ".[0].reason")" = policy_violation ]' || fail "block event missing"
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Summarise the quarterly report."}]}' | tail -n1)" "block: ordinary text passes"

# The CLI names a missing variable in one line.
out=$(env -u KEEPTRUSTS_API_URL "$KT" spend --all 2>&1) && fail "spend without KEEPTRUSTS_API_URL succeeded"
assert_eq 1 "$(wc -l <<<"$out")" "missing KEEPTRUSTS_API_URL: one line"
assert_contains "$out" "KEEPTRUSTS_API_URL" "missing KEEPTRUSTS_API_URL: named"
out=$(env -u KEEPTRUSTS_API_TOKEN "$KT" events tail 2>&1) && fail "events without KEEPTRUSTS_API_TOKEN succeeded"
assert_contains "$out" "KEEPTRUSTS_API_TOKEN" "missing KEEPTRUSTS_API_TOKEN: named"
out=$(env -u KEEPTRUSTS_API_TOKEN "$KT" api serve --listen 127.0.0.1:1 --database "sqlite:$WORK/x.db" 2>&1) && fail "api serve without a token started"
assert_contains "$out" "KEEPTRUSTS_API_TOKEN is not set" "api serve refuses to start without a token"
finish
