# A steady load through the gateway while something behind it fails, and the exact ledger checks
# after it (sourced after lib.sh and ledger_check.sh by the restart tests).
UNIT=17100  # the haiku: 14 prompt + 25 completion tokens of gpt-4o-mini, in nano-dollars
HAIKU='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
ENG=kt_cg_engineering_abc123
MKT=kt_cg_marketing_def456

# One client sending the haiku as engineering back to back until $WORK/stop exists; each answer is
# a line of $WORK/load.N: "200", or the status and the error code.
load_client() {
  local code
  while [ ! -e "$WORK/stop" ]; do
    code=$(curl -s -o "$WORK/load-body.$1" -w "%{http_code}" "$GW_URL/v1/chat/completions" \
      -H "Content-Type: application/json" -H "X-Consumer-Group: $ENG" -d "$HAIKU" || echo 000)
    if [ "$code" = 200 ]; then echo 200; else echo "$code $(jq -r .error.code "$WORK/load-body.$1" 2>/dev/null)"; fi
  done >"$WORK/load.$1"
}
load_count() { cat "$WORK"/load.* 2>/dev/null | grep -c "${1:-.}" || true; }

# start_load N: N clients; returns once the busy team holds a budget lease.
start_load() {
  local i
  LOADERS=()
  for i in $(seq 1 "$1"); do
    load_client "$i" &
    LOADERS+=($!)
    PIDS+=($!)
  done
  eventually '[ "$(load_count ^200)" -ge 100 ]' 20 || fail "the load did not start: $(load_count) answers"
  eventually '[ "$(balance team_engineering | jq .leased | nanos)" -gt 0 ]' 5 || fail "no budget lease under load: $(balance team_engineering)"
  pass "engineering is on budget leases ($(load_count ^200) answers so far)"
}
stop_load() {
  local p
  touch "$WORK/stop"
  for p in "${LOADERS[@]}"; do wait "$p"; done
}

# quiet_requests_refused N: the quiet team (no lease: it reserves per request) sends N requests a
# third of a second apart; each must fail closed with 503 budget_service_unavailable.
quiet_requests_refused() {
  local i refused=0
  for i in $(seq 1 "$1"); do
    [ "$(req $MKT "$HAIKU")" = 503 ] && [ "$(jq -r .error.code "$WORK/body")" = budget_service_unavailable ] &&
      refused=$((refused + 1))
    sleep 0.3
  done
  assert_eq "$1" "$refused" "the quiet team's requests fail closed: 503 budget_service_unavailable"
}

# served_during SECONDS: the busy team is answered on its leases for that long.
served_during() {
  local before; before=$(load_count ^200)
  sleep "$1"
  local served=$(( $(load_count ^200) - before ))
  [ "$served" -ge 10 ] && pass "the busy team was served on its leases meanwhile ($served answers)" ||
    fail "the busy team was not served meanwhile ($served answers)"
}

# ledger_holds_every_answer QUIET_REFUSED DATABASE: after the load, each answer in the ledger
# exactly once — events, upstream hits, spend and event costs exact, nothing reserved, verify.
ledger_holds_every_answer() {
  local quiet=$1 db=$2
  local ok total others
  ok=$(load_count ^200)
  total=$(load_count)
  others=$(cat "$WORK"/load.* | grep -v '^200$' | sort | uniq -c | tr '\n' ';' || true)
  assert_eq "" "$(cat "$WORK"/load.* | grep -v '^200$' | grep -v '^503 budget_service_unavailable$' || true)" \
    "the busy team got 200s (or 503 budget_service_unavailable) only [$others]"
  echo "load: $total requests, $ok answered 200"
  local requests=$((total + quiet))
  eventually '[ "$("$KT" events tail --last 10000 --format json | jq length)" -ge '"$requests"' ]' 30 ||
    fail "events missing: $("$KT" events tail --last 10000 --format json | jq length) of $requests"
  eventually '[ "$(api GET /v1/gateway/logs | jq "[.logs[] | select(.closed_at == null) | .unapplied_records] | add")" = 0 ]' 10 ||
    fail "the gateway still reports unapplied records: $(api GET /v1/gateway/logs)"
  local events; events=$("$KT" events tail --last 10000 --format json)
  assert_eq "$requests" "$(jq length <<<"$events")" "one event per request"
  assert_eq "$requests" "$(jq '[.[].request_id] | unique | length' <<<"$events")" "no request recorded twice"
  assert_eq "$ok" "$(mock_hits)" "the upstream answered exactly the 200s"
  assert_eq $((ok * UNIT)) "$(balance team_engineering | jq .spent | nanos)" "engineering spent = $ok x \$0.0000171, to the nano-dollar"
  assert_eq $((ok * UNIT)) "$(jq '[.[] | select(.consumer_group == "engineering") | (.cost // 0) * 1000000000 | round] | add // 0' <<<"$events")" \
    "engineering's event costs add up to its spend"
  assert_eq 0 "$(balance team_marketing | jq .spent | nanos)" "nothing billed for the refused requests"
  assert_eq "$quiet budget_unavailable" "$(jq -r '[.[] | select(.consumer_group == "marketing")] | "\(length) \([.[].reason] | unique | join(","))"' <<<"$events")" \
    "the refused requests' events say budget_unavailable"
  local team
  for team in team_engineering team_marketing; do
    eventually '[ "$(balance '"$team"' | jq .reserved | nanos)" = 0 ]' 10 || true
    assert_eq 0 "$(balance $team | jq .reserved | nanos)" "$team: nothing reserved"
  done
  local out
  out=$("$KT" ledger verify --database "$db" 2>&1) || fail "kt ledger verify: $out"
  assert_contains "$out" "OK" "kt ledger verify passes"
}
