# Exact ledger checks shared by the streaming, retries and budget-limit tests (sourced after lib.sh).
# A JSON number (dollars) as integer nano-dollars: exact for the ledger's 9 decimals.
nanos() { jq -r 'if . == null then 0 else (. * 1000000000 | round) end'; }
# The newest 10,000 events (the API's page bound): a load test's busy team must not push a quiet
# group's events out of the window.
events_of() { "$KT" events tail --last 10000 --format json | jq -c "[.[] | select(.consumer_group == \"$1\")]"; }
event_count() { events_of "$1" | jq length; }
# The newest event of a group (events arrive asynchronously: wait for the Nth).
wait_events() {  # GROUP COUNT
  eventually '[ "$(event_count '"$1"')" -ge '"$2"' ]' 10 || fail "only $(event_count "$1") events of $1, expected $2"
}
newest_event() { events_of "$1" | jq -c 'max_by(.timestamp) // {}' ; }
# cost_nanos PROMPT COMPLETION IN_PER_1K_NANOS OUT_PER_1K_NANOS: the ledger's rounding (up, once).
cost_nanos() { echo $(( ($1 * $3 + $2 * $4 + 999) / 1000 )); }
# ledger_exact TEAM GROUP EVENTS EXPECTED_SPENT_NANOS MESSAGE: nothing reserved, spent exactly as
# expected, and the group's event costs add up to it.
ledger_exact() {
  wait_events "$2" "$3"
  eventually '[ "$(balance '"$1"' | jq -r .reserved)" = 0 ]' 10 || fail "$5: reservation still held: $(balance "$1")"
  assert_eq "0" "$(balance "$1" | jq .reserved | nanos)" "$5: reserved = 0"
  assert_eq "$4" "$(balance "$1" | jq .spent | nanos)" "$5: spent (nano-dollars)"
  assert_eq "$4" "$(events_of "$2" | jq '[.[] | (.cost // 0) * 1000000000 | round] | add // 0')" "$5: sum of event costs = spent"
}
event_of() { "$KT" events tail --last 10000 --format json | jq -c --arg id "$1" '[.[] | select(.request_id == $id)][0] // {}'; }
# req KEY JSON [extra curl args]: body in $WORK/body, headers in $WORK/headers; prints the status.
req() {
  local key=$1 json=$2; shift 2
  curl -sS -o "$WORK/body" -D "$WORK/headers" -w "%{http_code}" "$GW_URL/v1/chat/completions" \
    -H "Content-Type: application/json" -H "X-Consumer-Group: $key" "$@" -d "$json"
}
request_id() { grep -i '^x-kt-request-id:' "${1:-$WORK/headers}" | tr -d '\r' | awk '{print $2}'; }
