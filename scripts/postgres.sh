#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on loopback for the tests (and for trying N gateways and M
# API replicas by hand).
#
#   bash scripts/postgres.sh start    # initialises if needed, starts, prints the DSN
#   bash scripts/postgres.sh stop     # stops and deletes the cluster
#   bash scripts/postgres.sh dsn      # prints the DSN (the cluster must be running)
#   bash scripts/postgres.sh status   # exit 0 when running
#
# Idempotent: starting a running cluster only prints its DSN. Data lives under /tmp, fsync is off
# (nothing here is worth keeping). PostgreSQL refuses to run as root, so as root the server
# runs as the `postgres` user through runuser. Settings: KT_PG_DIR (default /tmp/kt-pg),
# KT_PG_PORT (default 55432), KT_PG_DB (default kt_test).
set -euo pipefail

ST=${KT_PG_DIR:-/tmp/kt-pg}
PORT=${KT_PG_PORT:-55432}
DB=${KT_PG_DB:-kt_test}
USER_NAME=kt

pgbin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  echo "postgres.sh: no PostgreSQL server binaries found (apt-get install postgresql)" >&2
  exit 1
}
PGBIN=$(pgbin)

# Runs a server binary as the postgres user when we are root, as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dsn() { echo "postgresql://$USER_NAME@127.0.0.1:$PORT/$DB"; }

running() { [ -f "$ST/data/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$ST/data" status >/dev/null 2>&1; }

start() {
  if running; then dsn; return; fi
  if [ ! -f "$ST/data/PG_VERSION" ]; then
    rm -rf "$ST"
    mkdir -p "$ST"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$ST"
    as_pg "$PGBIN/initdb" -D "$ST/data" -U "$USER_NAME" --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$ST/initdb.log" 2>&1 || { cat "$ST/initdb.log" >&2; exit 1; }
  fi
  # Enough connections for the store suite's racing stores plus several API replicas.
  as_pg "$PGBIN/pg_ctl" -D "$ST/data" -l "$ST/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $ST -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=200" start >/dev/null \
    || { tail -n 20 "$ST/server.log" >&2; exit 1; }
  if ! "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" "$DB"
  fi
  dsn
}

stop() {
  if running; then as_pg "$PGBIN/pg_ctl" -D "$ST/data" -m fast -w stop >/dev/null; fi
  rm -rf "$ST"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  dsn) running || { echo "postgres.sh: not running" >&2; exit 1; }; dsn ;;
  status) running ;;
  *) echo "usage: $0 start|stop|dsn|status" >&2; exit 2 ;;
esac
