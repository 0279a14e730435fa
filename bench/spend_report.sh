#!/usr/bin/env bash
# bench/spend_report.sh: `kt spend` and the balance route over N journal lines and N events (default
# 10 million each) on SQLite, before (a kt whose reports scan the journal) and after (rollups).
#
#   bench/spend_report.sh --before OLD_KT --after NEW_KT [--rows N] [--dir D] [--runs R] [--generate-only | --reuse]
#   (--generate-only: step 1 only; --reuse: skip step 1, D/before.db is kept from an earlier run)
#
# 1. OLD_KT makes the database (`kt api migrate`: its schema, before the rollups); the sqlite3 CLI
#    fills it in bulk with one recursive CTE per table: one team (the worst case: every line is
#    its), N settle lines spread evenly over December 2026 (4 models x 3 consumer groups), and N
#    decision events of ~300 bytes, with the wallet's spent set to the journal's sum.
# 2. OLD_KT serves it: R timed runs of `kt spend --team engineering`, `--by day`, and curl of
#    GET /v1/wallets/balance with ?forecast=true (its forecast scanned the journal) and without.
# 3. NEW_KT migrates a copy (the back-fill of the rollups, timed) and serves it: the same runs, and
#    `kt ledger verify` (rollups == journal) timed.
# The clock is fixed at 2026-12-31T12:00:00Z (KT_FAKE_CLOCK_FILE) so both read the same period.
set -euo pipefail
BEFORE="" AFTER="" ROWS=10000000 GENERATE=1 MEASURE=1 DIR=${TMPDIR:-/tmp}/kt-spend-bench RUNS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --before) BEFORE=$2; shift 2 ;;
    --after) AFTER=$2; shift 2 ;;
    --rows) ROWS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --generate-only) MEASURE=0; shift ;;
    --reuse) GENERATE=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $BEFORE && -x $AFTER ]] || { echo "usage: $0 --before OLD_KT --after NEW_KT [--rows N] [--dir D] [--runs R]" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 (Debian package sqlite3) is needed" >&2; exit 2; }
mkdir -p "$DIR"
export KT_FAKE_CLOCK_FILE="$DIR/clock" KEEPTRUSTS_API_TOKEN=bench-admin-token
date -u -d 2026-12-31T12:00:00Z +%s >"$KT_FAKE_CLOCK_FILE"
START=$(date -u -d 2026-12-01T00:00:00Z +%s) END=$(date -u -d 2027-01-01T00:00:00Z +%s)
now_ms() { date +%s%3N; }

make_db() {
  local db=$DIR/before.db
  rm -f "$db" "$db"-wal "$db"-shm
  "$BEFORE" api migrate --database "sqlite:$db" >/dev/null
  local t0; t0=$(now_ms)
  sqlite3 "$db" <<SQL
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;
INSERT INTO wallets(team_id, period_start, period_end, currency, budget) VALUES('team_engineering', $START, $END, 'USD', 9000000000000000);
INSERT INTO consumer_groups(name, team_id) VALUES('engineering', 'team_engineering');
INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, description, created_at)
  VALUES('alloc:1', 'team_engineering', $START, 'allocate', NULL, 9000000000000000, 'bench', $START);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ROWS)
INSERT INTO journal(entry_id, team_id, period_start, kind, key, amount, model, provider, consumer_group,
                    prompt_tokens, completion_tokens, created_at, estimate)
SELECT 'settle:r' || i || ':1', 'team_engineering', $START, 'settle', 'r' || i || ':1', 500000 + i % 1000,
       CASE i % 4 WHEN 0 THEN 'gpt-4o' WHEN 1 THEN 'gpt-4o-mini' WHEN 2 THEN 'claude-3-5-sonnet' ELSE 'o3-mini' END,
       'openai', CASE i % 3 WHEN 0 THEN 'engineering' WHEN 1 THEN 'support' ELSE 'batch' END,
       100 + i % 50, 200 + i % 70, $START + i * ($END - $START - 86400) / $ROWS, 600000
FROM n;
COMMIT;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ROWS)
INSERT INTO events(id, type, ts_micros, team_id, consumer_group, json)
SELECT printf('evt_%024x', i), 'decision', ($START + i * ($END - $START - 86400) / $ROWS) * 1000000, 'team_engineering',
       'engineering',
       '{"id":"' || printf('evt_%024x', i) || '","type":"decision","request_id":"req_' || i ||
       '","consumer_group":"engineering","team_id":"team_engineering","model":"gpt-4o","provider":"openai",' ||
       '"decision":"allow","status":200,"prompt_tokens":120,"completion_tokens":230,"cost":0.0005,' ||
       '"estimated_cost":0.0006,"price_version":1}'
FROM n;
COMMIT;
UPDATE wallets SET spent = (SELECT SUM(amount) FROM journal WHERE kind = 'settle');
SQL
  echo "generated $ROWS journal lines and $ROWS events in $(( $(now_ms) - t0 )) ms ($(du -h "$db" | cut -f1))"
}

# serve KT DB: starts `KT api serve` on DB in the background (API_PID, KEEPTRUSTS_API_URL).
serve() {
  local port=$((20000 + RANDOM % 20000))
  "$1" api serve --listen "127.0.0.1:$port" --database "sqlite:$2" >"$DIR/api.log" 2>&1 &
  API_PID=$!
  export KEEPTRUSTS_API_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 600); do curl -sf "$KEEPTRUSTS_API_URL/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "the API did not start: $(tail -n5 "$DIR/api.log")" >&2; exit 1
}
# timed LABEL CMD...: the median of RUNS runs in ms (the first run, cold, is printed apart).
timed() {
  local label=$1; shift
  local times=() first=""
  for r in $(seq 1 "$RUNS"); do
    local t0; t0=$(now_ms)
    if ! "$@" >/dev/null 2>"$DIR/timed.err"; then  # e.g. the CLI's 10 s timeout on the old kt
      printf '%-52s FAILED after %d ms: %s\n' "$label" "$(( $(now_ms) - t0 ))" "$(head -c 160 "$DIR/timed.err")"
      return 0
    fi
    local dt=$(( $(now_ms) - t0 ))
    [[ -z $first ]] && first=$dt
    times+=("$dt")
  done
  local median; median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '%-52s first %6d ms, median of %d %6d ms\n' "$label" "$first" "$RUNS" "$median"
}
balance() { curl -sf "$KEEPTRUSTS_API_URL/v1/wallets/balance?team_id=team_engineering$1" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN"; }
measure() {  # KT LABEL
  timed "$2: kt spend --team engineering" "$1" spend --team engineering
  timed "$2: kt spend --team engineering --by day" "$1" spend --team engineering --by day
  timed "$2: GET /v1/wallets/balance?forecast=true" balance "&forecast=true"
  timed "$2: GET /v1/wallets/balance?forecast=false" balance "&forecast=false"
  "$1" spend --team engineering --format json | jq -c '[.wallet.spent, [.models[] | .cost, .requests]]' >"$DIR/$2.figures"
}

[[ $GENERATE = 1 ]] && make_db
[[ $MEASURE = 1 ]] || exit 0
serve "$BEFORE" "$DIR/before.db"
measure "$BEFORE" before
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true

cp "$DIR/before.db" "$DIR/after.db"
t0=$(now_ms)
"$AFTER" api migrate --database "sqlite:$DIR/after.db" >/dev/null
echo "after: migration (rollups back-filled from $ROWS lines, journal index by time) $(( $(now_ms) - t0 )) ms"
serve "$AFTER" "$DIR/after.db"
measure "$AFTER" after
timed "after: GET /v1/wallets/balance (forecast by default)" balance ""
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
t0=$(now_ms)
"$AFTER" ledger verify --database "sqlite:$DIR/after.db" >"$DIR/verify.txt" 2>&1 || { cat "$DIR/verify.txt"; exit 1; }
echo "after: kt ledger verify (rollups == journal included) $(( $(now_ms) - t0 )) ms: $(tail -n1 "$DIR/verify.txt")"
echo "rollup rows: $(sqlite3 "$DIR/after.db" 'SELECT COUNT(*) FROM spend_rollups')"
if cmp -s "$DIR/before.figures" "$DIR/after.figures"; then
  echo "same figures before and after: $(cat "$DIR/after.figures")"
else
  echo "FIGURES DIFFER: before $(cat "$DIR/before.figures") after $(cat "$DIR/after.figures")" >&2; exit 1
fi
