#!/usr/bin/env bash
# The official openai npm SDK (openai@6) against real kt processes: a mock upstream, `kt api serve`
# and `kt gateway run`, started by tests/integration/lib.sh. One consumer group and one wallet per
# test file, so every test checks its own ledger exactly whatever order node runs the files in.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../integration/lib.sh"

command -v node >/dev/null || { echo "sdk-tests: node (20+) is required" >&2; exit 1; }
bash "$here/install.sh" >/dev/null || exit 1

start_mock
start_api
seed_pricing
api POST /v1/model-pricing '{"model":"text-embedding-3-small","provider":"openai","input_cost_per_1k_tokens":0.00002,"output_cost_per_1k_tokens":0.0006}' >/dev/null

# name, wallet budget (USD). "broke" holds too little for any request.
groups=("chat 5" "stream 5" "stream_usage 5" "embed 5" "broke 0.000001")
cfg="$WORK/policy-config.yaml"
{
  echo "version: '1'"
  echo "providers:"
  echo "  targets:"
  echo "    - id: openai"
  echo "      provider: openai"
  echo "      secret_key_ref:"
  echo "        env: OPENAI_API_KEY"
  echo "consumer_groups:"
  for g in "${groups[@]}"; do
    read -r name _ <<<"$g"
    echo "  - name: sdk_$name"
    echo "    api_key: kt_cg_sdk_${name}_key_0123456789"
    echo "    wallet_team_id: team_sdk_$name"
  done
  echo "cost_tracking:"
  echo "  enabled: true"
  echo "  wallet_enforcement: true"
  echo "api:"
  echo "  url: $KEEPTRUSTS_API_URL"
  echo "  token_env: KEEPTRUSTS_API_TOKEN"
} >"$cfg"
for g in "${groups[@]}"; do
  read -r name amount <<<"$g"
  out=$(api POST /v1/wallets/allocate "{\"team_id\":\"team_sdk_$name\",\"amount\":$amount,\"currency\":\"USD\"}")
  [ "$(jq -r .team_id <<<"$out")" = "team_sdk_$name" ] || { fail "allocate team_sdk_$name: $out"; finish; }
done
start_gateway "$cfg"

export GW_URL MOCK_URL KEEPTRUSTS_API_URL KEEPTRUSTS_API_TOKEN
cd "$here"
# One file at a time: the machine has 2 cores and the files share one gateway.
if node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs; then
  echo "all SDK tests passed"
else
  fail "node --test reported failures"
fi
finish
