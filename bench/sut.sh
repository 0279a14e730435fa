#!/usr/bin/env bash
# Starts kt as the system under test, in its full configuration, and stays in the foreground:
#   kt api serve     (SQLite in DIR, seeded with gpt-4o-mini pricing and a 1,000,000 USD wallet)
#   kt gateway run   SSE  on $KT_SSE_PORT  -> mock http://127.0.0.1:18080/sse/v1  (background)
#   kt gateway run   JSON on $KT_JSON_PORT -> mock http://127.0.0.1:18080/v1      (exec'd: this PID)
# Both gateways: consumer-group auth (X-Consumer-Group), pricing, wallet reserve + settle against the
# API, budget alerts, content_filter on all four categories, decision events shipped to the API.
# Two gateway processes because the harness's nginx mock selects SSE by path prefix (/sse/v1).
# Used by bench/run.sh, which runs it pinned to the SUT cpu (through the harness's --extra-cmd, or
# with taskset for its own measurements). Everything started here is in this process tree, so the
# harness's CPU and RSS sampling covers all of kt; the whole process group is stopped at the end.
#
# Usage: bench/sut.sh KT_BINARY DIR    (env: KT_JSON_PORT 19000, KT_SSE_PORT 19001, KT_API_PORT 19080,
#                                        KT_UPSTREAM http://127.0.0.1:18080, KT_THREADS 1,
#                                        KT_API_FLAGS: extra `kt api serve` flags (default --store-nice 19:
#                                        gateways and API share the SUT core, docs/operations.md),
#                                        KT_API_WRAPPER / KT_GATEWAY_WRAPPER: a command to run them under)
set -euo pipefail
KT=${1:?kt binary}; DIR=${2:?work dir}
JSON_PORT=${KT_JSON_PORT:-19000}; SSE_PORT=${KT_SSE_PORT:-19001}; API_PORT=${KT_API_PORT:-19080}
UPSTREAM=${KT_UPSTREAM:-http://127.0.0.1:18080}
THREADS=${KT_THREADS:-1}
mkdir -p "$DIR"
export KEEPTRUSTS_API_TOKEN=${KEEPTRUSTS_API_TOKEN:-bench-admin-token}
export OPENAI_API_KEY=sk-bench-upstream
API=http://127.0.0.1:$API_PORT

wait_up() {  # URL PID
  local i
  for (( i = 0; i < 300; i++ )); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "sut.sh: process $2 exited; see $DIR/*.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "sut.sh: $1 did not come up" >&2; exit 1
}
api() { curl -fsS -X POST "$API$1" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" -H "Content-Type: application/json" -d "$2" >/dev/null; }

# A fresh ledger, and no ledger logs of an earlier run (their leases would not exist in it).
rm -rf "$DIR/kt.db" "$DIR/kt.db-wal" "$DIR/kt.db-shm" "$DIR"/spool-*
# KT_API_WRAPPER: as KT_GATEWAY_WRAPPER below, for the API (bench/profile.sh --process api)
${KT_API_WRAPPER:-} "$KT" api serve ${KT_API_FLAGS---store-nice 19} --listen "127.0.0.1:$API_PORT" --database "sqlite:$DIR/kt.db" --threads "$THREADS" >"$DIR/api.log" 2>&1 &
API_PID=$!
echo "$API_PID" >"$DIR/api.pid"
wait_up "$API/health" "$API_PID"
api /v1/model-pricing '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006}'
api /v1/wallets/allocate '{"team_id":"team_engineering","amount":1000000,"currency":"USD","description":"bench"}'

config() {  # BASE_URL
  cat <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      base_url: $1
      secret_key_ref:
        env: OPENAI_API_KEY
consumer_groups:
  - name: engineering
    api_key: kt_cg_engineering_abc123
    wallet_team_id: team_engineering
cost_tracking:
  enabled: true
  wallet_enforcement: true
  budget_alerts:
    - threshold_percent: 50
      action: notify
    - threshold_percent: 80
      action: notify
    - threshold_percent: 100
      action: block
api:
  url: $API
  token_env: KEEPTRUSTS_API_TOKEN
policies:
  - name: content-filter
    type: content_filter
    action: flag
    config:
      categories: [hate, violence, sexual, self_harm]
YAML
}
config "$UPSTREAM/v1" >"$DIR/gateway-json.yaml"
config "$UPSTREAM/sse/v1" >"$DIR/gateway-sse.yaml"

"$KT" gateway run --policy-config "$DIR/gateway-sse.yaml" --listen "127.0.0.1:$SSE_PORT" --threads "$THREADS" \
  --spool-dir "$DIR/spool-sse" >"$DIR/gateway-sse.log" 2>&1 &
SSE_PID=$!
echo "$SSE_PID" >"$DIR/gateway-sse.pid"
wait_up "http://127.0.0.1:$SSE_PORT/health" "$SSE_PID"
# Optional third gateway (bench/run.sh's chunk-pacing probe): SSE against another upstream.
if [[ -n "${KT_PACED_PORT:-}" ]]; then
  config "${KT_PACED_UPSTREAM:?}/v1" >"$DIR/gateway-paced.yaml"
  "$KT" gateway run --policy-config "$DIR/gateway-paced.yaml" --listen "127.0.0.1:$KT_PACED_PORT" --threads "$THREADS" \
    --spool-dir "$DIR/spool-paced" >"$DIR/gateway-paced.log" 2>&1 &
  wait_up "http://127.0.0.1:$KT_PACED_PORT/health" "$!"
fi
echo "$$" >"$DIR/gateway-json.pid"
# KT_GATEWAY_WRAPPER: e.g. "valgrind --tool=callgrind ..." (bench/profile.sh)
exec ${KT_GATEWAY_WRAPPER:-} "$KT" gateway run --policy-config "$DIR/gateway-json.yaml" --listen "127.0.0.1:$JSON_PORT" --threads "$THREADS" \
  --spool-dir "$DIR/spool-json" >"$DIR/gateway-json.log" 2>&1
