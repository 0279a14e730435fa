# Shared by providers_*_test.sh: one gateway with an OpenAI, an Anthropic and an Azure OpenAI
# target (all served by the mock), prices for each, and the exact ledger checks.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export ANTHROPIC_API_KEY="sk-ant-test-key"
export AZURE_OPENAI_API_KEY="az-test-key"

price() {  # JSON body for POST /v1/model-pricing
  api POST /v1/model-pricing "$1" >/dev/null
}

start_providers_stack() {
  start_mock
  start_api
  price '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.00015,"output_cost_per_1k_tokens":0.0006,"cached_input_cost_per_1k_tokens":0.000075}'
  price '{"model":"text-embedding-3-small","provider":"openai","input_cost_per_1k_tokens":0.0001,"output_cost_per_1k_tokens":0}'
  price '{"model":"gpt-3.5-turbo-instruct","provider":"openai","input_cost_per_1k_tokens":0.0015,"output_cost_per_1k_tokens":0.002}'
  price '{"model":"claude-3-5-haiku","provider":"anthropic","input_cost_per_1k_tokens":0.001,"output_cost_per_1k_tokens":0.005,"cached_input_cost_per_1k_tokens":0.0001,"cache_creation_cost_per_1k_tokens":0.00125}'
  price '{"model":"gpt-4o","provider":"azure_openai","input_cost_per_1k_tokens":0.0025,"output_cost_per_1k_tokens":0.01}'
  allocate team_engineering 5
  allocate team_marketing 0.00001
  cat >"$WORK/policy-config.yaml" <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref:
        env: OPENAI_API_KEY
    - id: claude
      provider: anthropic
      base_url: $MOCK_URL/v1
      secret_key_ref:
        env: ANTHROPIC_API_KEY
    - id: azure
      provider: azure_openai
      base_url: $MOCK_URL
      api_version: '2024-06-01'
      deployments:
        gpt-4o: gpt4o-prod
      secret_key_ref:
        env: AZURE_OPENAI_API_KEY
$(engineering_enforced_yaml)
  - name: marketing
    api_key: kt_cg_marketing_def456
    wallet_team_id: team_marketing
${PROVIDERS_EXTRA_YAML:-}
YAML
  start_gateway "$WORK/policy-config.yaml"
}

post() {  # ROUTE KEY JSON -> body then "HTTP nnn"
  curl -sS -w "\nHTTP %{http_code}\n" "$GW_URL$1" -H "Content-Type: application/json" -H "X-Consumer-Group: $2" -d "$3"
}
stream_post() {  # ROUTE KEY JSON -> the raw SSE text
  curl -sN "$GW_URL$1" -H "Content-Type: application/json" -H "X-Consumer-Group: $2" -d "$3"
}
body_of() { sed '$d' <<<"$1"; }
status_of() { tail -n1 <<<"$1" | awk '{print $2}'; }
mock_last() { curl -sS "$MOCK_URL/_mock/last"; }
sse_data() { grep '^data: {' <<<"$1" | sed 's/^data: //'; }

# A JSON number (dollars) as integer nano-dollars: exact for the ledger's 9 decimals.
nanos() { jq -r 'if . == null then 0 else (. * 1000000000 | round) end'; }
EVENTS_SEEN=0
# expect_ledger EVENTS_SO_FAR EXPECTED_SPENT_NANOS MESSAGE: every request settled (reserved 0),
# spent exactly as expected, and the events' costs add up to it.
expect_ledger() {
  eventually '[ "$("$KT" events tail --last 1000 --format json | jq "[.[] | select(.consumer_group == \"engineering\")] | length")" -ge '"$1"' ]' 10 ||
    fail "$3: only $("$KT" events tail --last 1000 --format json | jq length) events shipped"
  eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' || fail "$3: reservation still held"
  assert_eq "$2" "$(balance team_engineering | jq .spent | nanos)" "$3: spent (nano-dollars)"
  local sum
  sum=$("$KT" events tail --last 1000 --format json |
    jq '[.[] | select(.consumer_group == "engineering") | (.cost // 0) * 1000000000 | round] | add // 0')
  assert_eq "$2" "$sum" "$3: sum of event costs = spent"
}
last_event() { "$KT" events tail --last 1 --format json | jq -c ".[0] | $1"; }
