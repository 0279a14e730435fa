# Shared helpers for the integration tests: real `kt` processes on loopback, a mock upstream,
# curl and jq. Every process started here is stopped when the test exits.
set -euo pipefail
KT=${KT:?path to kt}
MOCK=${MOCK:?path to kt-mock-upstream}
WORK=$(mktemp -d /tmp/kt-it.XXXXXX)
PIDS=()
FAILS=0
export KEEPTRUSTS_API_TOKEN="it-admin-token-$$"
export OPENAI_API_KEY="sk-test-upstream-key"

cleanup() {
  local i
  # Newest first: gateways stop (and ship their ledger logs) while the API still answers.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  if [ "$FAILS" -ne 0 ] || [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "--- logs kept in $WORK"; tail -n 30 "$WORK"/*.log 2>/dev/null || true
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
assert_eq() {  # expected actual message
  if [ "$1" == "$2" ]; then pass "$3"; else fail "$3: expected [$1] got [$2]"; fi
}
assert_contains() {  # haystack needle message
  if grep -qF -- "$2" <<<"$1"; then pass "$3"; else fail "$3: [$2] not in output:"$'\n'"$1"; fi
}
finish() {
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS assertion(s) failed"; exit 1; fi
  echo "all assertions passed"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  while :; do
    # Below the kernel's ephemeral range (32768+): a port there may be the local end of some
    # outgoing connection, and listening on it fails with "Address already in use".
    p=$(( (RANDOM << 1 | RANDOM & 1) % 12000 + 20000 ))
    port_in_use "$p" || { echo "$p"; return; }
  done
}

wait_http() {  # url [seconds]
  local i
  for i in $(seq 1 $(( ${2:-15} * 20 ))); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timeout waiting for $1" >&2
  return 1
}

# eventually 'command' [seconds]: retries until the command succeeds (async settles and events).
eventually() {
  local i
  for i in $(seq 1 $(( ${2:-5} * 20 ))); do
    eval "$1" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

start_mock() {
  MOCK_PORT=$(free_port)
  "$MOCK" --listen "127.0.0.1:$MOCK_PORT" >"$WORK/mock.log" 2>&1 &
  PIDS+=($!)
  MOCK_URL="http://127.0.0.1:$MOCK_PORT"
  wait_http "$MOCK_URL/health"
}

start_api() {  # [database url] [extra args]
  API_PORT=$(free_port)
  API_DB=${1:-sqlite:$WORK/kt.db}
  shift $(( $# > 0 ? 1 : 0 ))
  "$KT" api serve --listen "127.0.0.1:$API_PORT" --database "$API_DB" "$@" >"$WORK/api.log" 2>&1 &
  API_PID=$!
  PIDS+=($API_PID)
  export KEEPTRUSTS_API_URL="http://127.0.0.1:$API_PORT"
  wait_http "$KEEPTRUSTS_API_URL/health"
}

# launch_gateway CONFIG_FILE SUFFIX [extra args]: a gateway with its own spool ($WORK/spool<SUFFIX>)
# and log ($WORK/gateway<SUFFIX>.log), healthy when this returns: LAUNCHED_URL, LAUNCHED_PID.
# Upstream = the mock unless the config names a base_url.
launch_gateway() {
  local cfg=$1 suffix=$2 port
  shift 2
  port=$(free_port)
  OPENAI_BASE_URL="$MOCK_URL/v1" "$KT" gateway run --policy-config "$cfg" --listen "127.0.0.1:$port" \
    --spool-dir "$WORK/spool$suffix" "$@" >"$WORK/gateway$suffix.log" 2>&1 &
  LAUNCHED_PID=$!
  PIDS+=($LAUNCHED_PID)
  LAUNCHED_URL="http://127.0.0.1:$port"
  wait_http "$LAUNCHED_URL/health"
}

# start_gateway CONFIG_FILE [extra args]: the test's main gateway (GW_URL, GW_PORT, GW_PID).
start_gateway() {
  launch_gateway "$1" "" "${@:2}"
  GW_PID=$LAUNCHED_PID
  GW_URL=$LAUNCHED_URL
  GW_PORT=${GW_URL##*:}
}

# start_mock_and_api [database url] [extra api args]: the mock upstream, an API, gpt-4o-mini priced.
start_mock_and_api() {
  start_mock
  start_api "$@"
  seed_pricing
}

# allocate TEAM AMOUNT: the team's wallet gets AMOUNT USD.
allocate() {
  api POST /v1/wallets/allocate "{\"team_id\":\"$1\",\"amount\":$2,\"currency\":\"USD\"}" >/dev/null
}

# start_example_gateway [extra args]: the example config (write_config) as the main gateway.
start_example_gateway() {
  write_config "$WORK/policy-config.yaml"
  start_gateway "$WORK/policy-config.yaml" "$@"
}

# engineering_enforced_yaml: a config's tail (in a heredoc: $(engineering_enforced_yaml)): wallets
# enforced, the API, and the consumer groups with engineering first (more groups may follow).
engineering_enforced_yaml() {
  cat <<YAML
cost_tracking:
  enabled: true
  wallet_enforcement: true
api:
  url: $KEEPTRUSTS_API_URL
  token_env: KEEPTRUSTS_API_TOKEN
consumer_groups:
  - name: engineering
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
YAML
}

# write_config FILE [enforcement true|false] [extra yaml appended to cost_tracking]
write_config() {
  sed -e "s#http://localhost:8080#$KEEPTRUSTS_API_URL#" -e "s#wallet_enforcement: true#wallet_enforcement: ${2:-true}#" \
    "$(dirname "${BASH_SOURCE[0]}")/../../examples/policy-config.yaml" >"$1"
}

# seed_config_prices FILE [TOKEN_ENV]: the config seeds a price the API lacks (gpt-4o) into the
# API at start (api.seed_prices: true), with its token from TOKEN_ENV when given.
seed_config_prices() {
  local env=${2:-KEEPTRUSTS_API_TOKEN}
  sed -i "s/^  token_env: KEEPTRUSTS_API_TOKEN\$/  token_env: $env\n  seed_prices: true/" "$1"
  grep -q "^  seed_prices: true$" "$1" || fail "the config did not get api.seed_prices"
  cat >>"$1" <<'YAML'
model_pricing:
  - model: gpt-4o
    provider: openai
    input_per_1k: 0.0025
    output_per_1k: 0.01
YAML
}

api() {  # METHOD PATH [JSON]
  if [ $# -ge 3 ]; then
    curl -sS -X "$1" "$KEEPTRUSTS_API_URL$2" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" \
      -H "Content-Type: application/json" -d "$3"
  else
    curl -sS -X "$1" "$KEEPTRUSTS_API_URL$2" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN"
  fi
}

seed_pricing() {
  api POST /v1/model-pricing '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006}' >/dev/null
}

# The wallet's state without its forecast (which moves with the clock): two reads with nothing
# spent in between are equal.
balance() { api GET "/v1/wallets/balance?team_id=$1&forecast=false"; }

chat() {  # KEY JSON-BODY  -> prints body then a line "HTTP nnn"
  curl -sS -w "\nHTTP %{http_code}\n" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
    -H "X-Consumer-Group: $1" -d "$2"
}

mock_hits() { curl -sS "$MOCK_URL/_mock/stats" | jq -r .hits; }

# load URL KEY BODY SECONDS CONNECTIONS: wrk POSTs BODY to URL as consumer KEY; prints wrk's report.
load() {
  local lua="$WORK/load.lua"
  cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = [==[$3]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Consumer-Group"] = "$2"
LUA
  wrk -t2 -c"$5" -d"$4s" --timeout 10s -s "$lua" "$1"
}
# rss_kb PID: the process's resident set in KiB (0 once it is gone).
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# peak_rss_kb PID WHILE_PID: the largest resident set of PID (KiB), sampled twice a second while
# WHILE_PID runs.
peak_rss_kb() {
  local peak=0 r
  while kill -0 "$2" 2>/dev/null; do
    r=$(rss_kb "$1"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.5
  done
  echo "$peak"
}
# rss_bound_mb MB: a memory bound for a kt process, in MiB. The sanitizer build
# (sanitizer_reports.sh sets KT_SANITIZED) holds freed blocks in ASan's 256 MiB quarantine and
# adds shadow memory and redzones: its bound is 4x plus the quarantine, still far below a leak's.
rss_bound_mb() { if [ -n "${KT_SANITIZED:-}" ]; then echo $(($1 * 4 + 256)); else echo "$1"; fi; }
# Exact nano-dollars of a decimal in a JSON field of the wallet's balance (jq would go through doubles).
spent_nanos() {
  local v int frac
  v=$(balance "$1" | grep -o '"spent":[0-9.]*' | cut -d: -f2)
  int=${v%%.*}; frac=""
  [[ $v == *.* ]] && frac=${v#*.}
  frac=$(printf '%-9s' "$frac" | tr ' ' 0)
  echo $((10#$int * 1000000000 + 10#${frac:0:9}))
}
