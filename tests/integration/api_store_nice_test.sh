#!/usr/bin/env bash
# `kt api serve --store-nice N`: the database thread alone runs at nice N (0 by default), the
# I/O threads keep the API's own priority, and a value outside 0-19 is refused before anything
# starts (docs/operations.md "The API on a shared host").
source "$(dirname "$0")/lib.sh"

# The nice values of a process's threads: "tid nice" per line (field 19 of /proc/PID/task/TID/stat,
# counted after the command name, which may hold spaces).
thread_nices() {
  local t
  for t in /proc/"$1"/task/*; do
    awk '{ sub(/^.*\) /, ""); print $17 }' "$t/stat" | sed "s|^|${t##*/} |"
  done
}

check_nice() {  # API_PID EXPECTED_STORE_NICE LABEL
  local nices store main
  nices=$(thread_nices "$1")
  main=$(awk -v p="$1" '$1 == p {print $2}' <<<"$nices")
  store=$(awk -v n="$2" '$2 == n' <<<"$nices" | wc -l)
  assert_eq "0" "$main" "$3: the main (I/O) thread keeps nice 0"
  assert_eq "1" "$store" "$3: exactly one thread (the database thread) runs at nice $2 ($(tr '\n' ' ' <<<"$nices"))"
}

# The default is 0: at nice 19 a database thread starved behind any busy process on the host
# (postgres_leases_test with four CPU hogs: 84 of 1,000 requests answered at 19, all at 0).
start_api "sqlite:$WORK/default.db"
zero=$(thread_nices "$API_PID" | awk '$2 != 0' | wc -l)
assert_eq "0" "$zero" "default: every thread keeps nice 0"
api GET /v1/model-pricing >/dev/null && pass "the API answers" || fail "the API does not answer"
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true

start_api "sqlite:$WORK/nineteen.db" --store-nice 19
check_nice "$API_PID" 19 "--store-nice 19"
api GET /v1/model-pricing >/dev/null && pass "the API answers with its database thread at nice 19" ||
  fail "the API does not answer at nice 19"
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true

start_api "sqlite:$WORK/seven.db" --store-nice 7
check_nice "$API_PID" 7 "--store-nice 7"
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true

for bad in 20 -1 high; do
  if out=$("$KT" api serve --listen "127.0.0.1:$(free_port)" --database "sqlite:$WORK/bad.db" --store-nice "$bad" 2>&1); then
    fail "--store-nice $bad was accepted"
  else
    assert_contains "$out" "--store-nice" "--store-nice $bad is refused, naming the option"
  fi
done
[ ! -e "$WORK/bad.db" ] && pass "a refused --store-nice creates no database" || fail "a refused --store-nice created $WORK/bad.db"
finish
