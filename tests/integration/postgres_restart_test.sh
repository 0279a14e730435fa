#!/usr/bin/env bash
# PostgreSQL stopped and started again under a steady load, behind `kt api serve`: while it is
# down the API answers 503 store_unavailable, so a busy team on budget leases keeps being served
# (its answers wait in the gateway's ledger log) and a quiet team whose requests need a reservation
# gets 503 budget_service_unavailable. Once it is back the API's connections reconnect
# (src/ledger/postgres/pg_db.cpp) and the ledger holds every answer exactly once — nothing lost,
# nothing doubled — then a restart in one step (pg_ctl restart) changes nothing either.
# The test runs its own cluster (KT_PG_DIR, KT_PG_PORT): the shared one is never disturbed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
source "$(dirname "$0")/load_lib.sh"
PG_SCRIPT="$(cd "$(dirname "$0")/../.." && pwd)/scripts/postgres.sh"
# The postgres user must reach the data folder: outside $WORK (0700, root's).
export KT_PG_DIR="/tmp/kt-pg-restart-$$" KT_PG_PORT=$(free_port) KT_PG_DB=kt_restart
trap 'cleanup; bash "$PG_SCRIPT" stop >/dev/null 2>&1 || true' EXIT
PG_URL=$(bash "$PG_SCRIPT" start) || { fail "cannot start a PostgreSQL cluster (scripts/postgres.sh)"; finish; }
pg_ctl_as_postgres() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$KT_PG_DIR/data" "$@"; else "$bin/pg_ctl" -D "$KT_PG_DIR/data" "$@"; fi
}

start_mock_and_api "$PG_URL"
for team in team_engineering team_marketing; do
  allocate "$team" 5
done
start_example_gateway --threads 2
start_load 8

# 1. PostgreSQL stopped (fast: open transactions are cut off) for about three seconds.
pg_ctl_as_postgres -m fast -w stop >/dev/null
assert_eq 503 "$(curl -s -o /dev/null -w '%{http_code}' "$KEEPTRUSTS_API_URL/v1/wallets/balance?team_id=team_engineering" \
  -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")" "the API answers 503 while its database is down"
assert_eq store_unavailable "$(balance team_engineering | jq -r .error.code)" "the API's error code"
quiet_requests_refused 3
served_during 1.5
bash "$PG_SCRIPT" start >/dev/null
eventually '[ "$(balance team_engineering | jq -r .team_id)" = team_engineering ]' 10 || fail "the API did not reconnect: $(balance team_engineering)"
pass "the API reconnected to PostgreSQL"
sleep 2  # the load goes on against the restarted database

# 2. A restart in one step, under the same load.
pg_ctl_as_postgres -m fast -w restart -l "$KT_PG_DIR/server.log" >/dev/null
eventually '[ "$(balance team_engineering | jq -r .team_id)" = team_engineering ]' 10 || fail "the API did not reconnect after pg_ctl restart"
sleep 1.5
stop_load
ledger_holds_every_answer 3 "$PG_URL"
assert_eq 200 "$(req $MKT "$HAIKU")" "the quiet team is served again"
finish
