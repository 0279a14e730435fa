#!/usr/bin/env bash
# Exports: `kt events export` pages through GET /v1/events/export by cursor, to CSV or JSON; `kt
# spend --by model|day|group`. Event times come from a fake clock (KT_FAKE_CLOCK_FILE, the test
# hook of core/period.hpp). Each request costs 9 x 150 + 900 x 600 = 541,350 nano-dollars.
source "$(dirname "$0")/lib.sh"
export KT_FAKE_CLOCK_FILE="$WORK/clock"
set_clock() { echo "$(date -u -d "$1" +%s)" >"$KT_FAKE_CLOCK_FILE"; }
set_clock 2026-12-01T10:00:00Z
start_mock_and_api
allocate team_engineering 10
start_example_gateway
req='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
n=0
for t in 2026-12-01T10:00:00Z 2026-12-01T11:00:00Z 2026-12-01T12:00:00Z 2026-12-02T09:00:00Z; do
  set_clock "$t"
  n=$((n + 1))
  assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$req" | tail -n1)" "request at $t"
  eventually "[ \"\$(spent_nanos team_engineering)\" = $((n * 541350)) ]" 10 || fail "request at $t not settled"
done
eventually '[ "$("$KT" events tail --last 10 --format json | jq length)" = 4 ]' 10 || fail "4 events expected"

# CSV between two times (until exclusive): the 11:00 and 12:00 requests only.
"$KT" events export --since 2026-12-01T10:30:00Z --until 2026-12-02T00:00:00Z --format csv --output "$WORK/out.csv"
assert_eq 3 "$(wc -l <"$WORK/out.csv")" "a header and two events"
assert_eq "id,timestamp,type,request_id,consumer_group,team_id,model,provider,decision,reason,status,prompt_tokens,completion_tokens,cost,estimated_cost,price_version" \
  "$(head -n1 "$WORK/out.csv")" "the CSV header"
assert_eq "2026-12-01T11:00:00.000000Z,decision,engineering,gpt-4o-mini,allow,9,900,0.00054135,0.0006024" \
  "$(sed -n 2p "$WORK/out.csv" | awk -F, '{print $2","$3","$5","$7","$9","$12","$13","$14","$15}')" "an exact row"
# JSON, one event a page: every page followed, in time order, a valid JSON array.
"$KT" events export --since 1796076000 --format json --output "$WORK/out.json" --page-size 1
assert_eq "4 2026-12-01T10:00:00.000000Z 2026-12-02T09:00:00.000000Z" \
  "$(jq -r '"\(length) \(.[0].timestamp) \(.[-1].timestamp)"' "$WORK/out.json")" "4 events over 4 pages, oldest first"
page=$(api GET '/v1/events/export?since=2026-12-01T00:00:00Z&limit=3')
assert_eq "3 true" "$(jq -r '"\(.events | length) \(.next_cursor != null)"' <<<"$page")" "a full page names its cursor"
last=$(api GET "/v1/events/export?since=2026-12-01T00:00:00Z&limit=3&cursor=$(jq -r .next_cursor <<<"$page")")
assert_eq "1 null" "$(jq -r '"\(.events | length) \(.next_cursor)"' <<<"$last")" "the last page"

# Bad input: 400 with the envelope; the CLI exits non-zero and writes no file.
for q in 'since=yesterday' 'since=2026-12-01T00:00:00Z&cursor=abc' 'since=2026-12-01T00:00:00Z&limit=0' \
  'since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z' 'since=2026-12-01T00:00:00Z&type=everything'; do
  code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/events/export?$q" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")
  assert_eq "400 invalid_parameter" "$code $(jq -r .error.code "$WORK/bad.json")" "export refuses $q"
done
"$KT" events export --since 2026-13-01 --format csv --output "$WORK/no1.csv" 2>/dev/null && fail "bad date accepted"
"$KT" events export --since 2026-12-01 --format xml --output "$WORK/no2.csv" 2>/dev/null && fail "bad format accepted"
assert_eq "" "$(ls "$WORK" | grep '^no[12]' || true)" "no file written on bad input"

# Spend by day (UTC), model and consumer group, exact.
assert_eq $'day,cost,prompt_tokens,completion_tokens,requests\n2026-12-01,0.00162405,27,2700,3\n2026-12-02,0.00054135,9,900,1' \
  "$("$KT" spend --team engineering --by day --format csv)" "spend by day, CSV"
assert_eq "gpt-4o-mini 0.0021654 4" "$("$KT" spend --team engineering --by model --format json | jq -r '.rows[0] | "\(.key) \(.cost) \(.requests)"')" \
  "spend by model, JSON"
assert_contains "$("$KT" spend --team engineering --by group)" "  engineering: \$0.0021654 (3636 tokens, 4 requests)" "spend by group, text"
code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/spend?team=engineering&by=week" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")
assert_eq "400" "$code" "spend by an unknown grouping: 400"
finish
