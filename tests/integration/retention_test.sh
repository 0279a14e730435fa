#!/usr/bin/env bash
# Event retention and spend rollups: three requests through the gateway on Nov 2nd and 20th (a fake
# clock, KT_FAKE_CLOCK_FILE), two events posted 60 and 100 days before Nov 20th, then the same
# database served again with the default retention (90 days: only the 100-day-old event goes), then
# with --event-retention-days 10 (only Nov 20th's event stays). Spend reports, read from the
# rollups, are the same to the nano-dollar before and after; `kt ledger verify` (rollups ==
# journal) passes. Each request costs 9 x 150 + 900 x 600 = 541,350 nano-dollars.
source "$(dirname "$0")/lib.sh"
export KT_FAKE_CLOCK_FILE="$WORK/clock"
set_clock() { echo "$(date -u -d "$1" +%s)" >"$KT_FAKE_CLOCK_FILE"; }
set_clock 2026-11-02T10:00:00Z
start_mock_and_api "sqlite:$WORK/kt.db" --event-retention-days 0
allocate team_engineering 10
start_example_gateway
req='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
n=0
for t in 2026-11-02T10:00:00Z 2026-11-02T11:30:00Z 2026-11-20T09:00:00Z; do
  set_clock "$t"
  n=$((n + 1))
  assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$req" | tail -n1)" "request at $t"
  eventually "[ \"\$(spent_nanos team_engineering)\" = $((n * 541350)) ]" 10 || fail "request at $t not settled"
done
curl -sS -o /dev/null -X POST "$KEEPTRUSTS_API_URL/v1/events/batch" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" \
  --data-binary $'{"id":"evt_000000000000000000000100","type":"decision","timestamp":"2026-08-12T09:00:00Z","team_id":"team_engineering"}\n{"id":"evt_000000000000000000000060","type":"decision","timestamp":"2026-09-21T09:00:00Z","team_id":"team_engineering"}'
event_times() { "$KT" events tail --type all --last 100 --format json | jq -r '[.[].timestamp[0:10]] | sort | join(" ")'; }
eventually '[ "$(event_times)" = "2026-08-12 2026-09-21 2026-11-02 2026-11-02 2026-11-20" ]' 10 ||
  fail "five events expected, got: $(event_times)"
spend_json() { "$KT" spend --team engineering --period 2026-11 --format json | jq -c 'del(.wallet.forecast)'; }
by_day=$'day,cost,prompt_tokens,completion_tokens,requests\n2026-11-02,0.0010827,18,1800,2\n2026-11-20,0.00054135,9,900,1'
assert_eq "$by_day" "$("$KT" spend --team engineering --by day --format csv)" "spend by day from the rollups, exact"
spend_before=$(spend_json)
assert_eq "gpt-4o-mini 0.00162405 3 27" \
  "$(jq -r '.models[0] | "\(.model) \(.cost) \(.requests) \(.prompt_tokens)"' <<<"$spend_before")" "kt spend per model, exact"
kill "$GW_PID" "$API_PID"; wait "$GW_PID" "$API_PID" 2>/dev/null || true

# The default retention, 90 days: the 100-day-old event goes, the 60-day-old one stays.
start_api "sqlite:$WORK/kt.db"
eventually '[ "$(event_times)" = "2026-09-21 2026-11-02 2026-11-02 2026-11-20" ]' 10 ||
  fail "default retention: the event from 100 days ago should go, got: $(event_times)"
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true

# Ten days: only Nov 20th's event stays; the spend reports and the ledger do not move.
start_api "sqlite:$WORK/kt.db" --event-retention-days 10
eventually '[ "$(event_times)" = "2026-11-20" ]' 10 || fail "10-day retention: only Nov 20th's event, got: $(event_times)"
assert_eq "$spend_before" "$(spend_json)" "kt spend is unchanged by the retention"
assert_eq "$by_day" "$("$KT" spend --team engineering --by day --format csv)" "spend by day is unchanged by the retention"
assert_eq "0.00162405" "$(balance team_engineering | jq -r .spent)" "the wallet is unchanged"
out=$("$KT" ledger verify --database "sqlite:$WORK/kt.db" 2>&1) || fail "kt ledger verify after the retention: $out"
assert_contains "$out" "OK" "kt ledger verify passes: rollups equal the journal"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/events/evt_000000000000000000000060/explain" \
  -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")
assert_eq "404" "$code" "a deleted event is no longer explained"

# A bad retention is refused before anything starts.
timeout 10 "$KT" api serve --listen 127.0.0.1:1 --database "sqlite:$WORK/other.db" --event-retention-days -1 >/dev/null 2>&1 &&
  fail "a negative retention was accepted"
assert_eq "" "$(ls "$WORK" | grep '^other.db' || true)" "no database made on a bad flag"
finish
