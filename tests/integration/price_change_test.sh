#!/usr/bin/env bash
# A price change mid-traffic: 40 requests from 4 concurrent clients while the price of their model
# changes. Every decision event's cost is its usage priced exactly at the version it names, both
# versions were used, the events' costs add up to the wallet's spent exactly (decimal arithmetic,
# no floats), and GET /v1/model-pricing?at=<before the change> still returns the old price.
# Also: effective_from rules (409 for a rewrite of history, 400 for a bad time), the unit sanity
# warnings of the API and of `kt policy lint`, and the config's model_pricing seeded at start.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_engineering 10.00

v1=$(api GET /v1/model-pricing | jq -c '.[] | select(.model == "gpt-4o-mini")')
assert_eq "1" "$(jq -r .version <<<"$v1")" "v1 listed with its version"
v1_from=$(jq -r .effective_from_unix <<<"$v1")
assert_eq "$(date -u -d "@$v1_from" +%Y-%m-%dT%H:%M:%S)" "$(jq -r .effective_from <<<"$v1" | cut -c1-19)" "effective_from in both forms"

# The config seeds a price the API does not have (gpt-4o) with api.seed_prices (an admin token),
# and lint warns about a per-1M price.
write_config "$WORK/policy-config.yaml"
seed_config_prices "$WORK/policy-config.yaml"
lint=$("$KT" policy lint --file "$WORK/policy-config.yaml") || fail "lint failed: $lint"
assert_contains "$lint" "OK" "lint accepts model_pricing"
sed -e 's/input_per_1k: 0.0025/input_per_1k: 2.50/' "$WORK/policy-config.yaml" >"$WORK/per-1m.yaml"
lint=$("$KT" policy lint --file "$WORK/per-1m.yaml" 2>&1) || fail "a W007 warning must not fail lint: $lint"
assert_contains "$lint" "warning[W007]" "lint warns about a per-1M price"
assert_contains "$lint" "looks like a per-1M price" "lint says why"

start_gateway "$WORK/policy-config.yaml"
assert_eq "0.0025 0.01 1" "$(api GET /v1/model-pricing | jq -r '.[] | select(.model == "gpt-4o") | "\(.input_cost_per_1k_tokens) \(.output_cost_per_1k_tokens) \(.version)"')" \
  "the gateway seeded the config's price for gpt-4o"

# Traffic: 4 clients x 10 requests, paced so it lasts well beyond the gateway's price refresh (5 s).
body='{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}'
client() {
  local i
  for i in $(seq 1 10); do
    curl -s -o /dev/null -w "%{http_code}\n" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" \
      -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$body" >>"$WORK/codes.$1"
    sleep 1
  done
}
for c in 1 2 3 4; do client "$c" & done
sleep 2
before_change=$(date -u +%s)
sleep 1  # ?at= has one-second resolution: keep "before" strictly before the change
out=$(api POST /v1/model-pricing '{"model":"gpt-4o-mini","provider":"openai","input_cost_per_1k_tokens":0.0003,"output_cost_per_1k_tokens":0.0012}')
assert_eq "2" "$(jq -r .version <<<"$out")" "the change mid-traffic is version 2"
assert_eq "null" "$(jq -r .warnings <<<"$out")" "a plausible price has no warnings"
v2_from=$(jq -r .effective_from_unix <<<"$out")
while [ "$(cat "$WORK"/codes.* | wc -l)" -lt 40 ]; do sleep 0.2; done
assert_eq "40" "$(cat "$WORK"/codes.* | grep -c '^200$')" "40 requests served"

eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 10 || fail "reservations left after the traffic"
eventually '[ "$("$KT" events tail --last 100 --format json | jq "[.[] | select(.model == \"gpt-4o-mini\")] | length")" = 40 ]' 10 ||
  fail "40 decision events expected"
"$KT" events tail --last 100 --format json >"$WORK/events.json"
balance team_engineering >"$WORK/balance.json"
api GET "/v1/model-pricing?at=$before_change" >"$WORK/prices_v1.json"
api GET "/v1/model-pricing?at=$v2_from" >"$WORK/prices_v2.json"

# Exact checks in decimal arithmetic: JSON numbers are read as Decimal, never as floats.
check=$(python3 - "$WORK" "$v2_from" <<'PY'
import json, sys
from datetime import datetime, timezone
from decimal import Decimal
work, v2_from = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f"{work}/{name}"), parse_float=Decimal, parse_int=Decimal)
events = [e for e in load("events.json") if e["model"] == "gpt-4o-mini"]
prices = {}
for name in ("prices_v1.json", "prices_v2.json"):
    for p in load(name):
        if p["model"] == "gpt-4o-mini":
            prices[int(p["version"])] = p
problems, total, used = [], Decimal(0), set()
for e in events:
    v = int(e["price_version"])
    used.add(v)
    p = prices.get(v)
    if p is None:
        problems.append(f"event {e['id']} names unknown version {v}"); continue
    u = e["usage"]
    expected = (u["prompt_tokens"] - u["cached_tokens"]) * p["input_cost_per_1k_tokens"] / 1000 \
             + u["completion_tokens"] * p["output_cost_per_1k_tokens"] / 1000
    if u["cached_tokens"]:
        problems.append(f"event {e['id']} has cached tokens: the mock should send none")
    if e["cost"] != expected:
        problems.append(f"event {e['id']} v{v}: cost {e['cost']} != {expected}")
    if v == 2 and e["timestamp"][:19] < datetime.fromtimestamp(v2_from, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"):
        problems.append(f"event {e['id']} used v2 before its effective_from")
    total += e["cost"]
spent = load("balance.json")["spent"]
print("versions=" + ",".join(str(v) for v in sorted(used)))
print(f"sum_equals_spent={total == spent} sum={total} spent={spent}")
print("problems=" + ("; ".join(problems) if problems else "none"))
PY
)
assert_contains "$check" "versions=1,2" "events used both versions"
assert_contains "$check" "sum_equals_spent=True" "sum of event costs = wallet spent, exactly"
assert_contains "$check" "problems=none" "every event costs its usage at the version it names"

# The price book keeps history: before the change, v1 at the old price.
assert_eq "1 0.00015 0.0006" "$(jq -r '.[] | select(.model == "gpt-4o-mini") | "\(.version) \(.input_cost_per_1k_tokens) \(.output_cost_per_1k_tokens)"' "$WORK/prices_v1.json")" \
  "?at=<before the change> returns the old price"
rfc=$(date -u -d "@$before_change" +%Y-%m-%dT%H:%M:%SZ)
assert_eq "1" "$(api GET "/v1/model-pricing?at=$rfc" | jq -r '.[] | select(.model == "gpt-4o-mini") | .version')" "?at= takes RFC 3339"
assert_eq "2" "$(api GET /v1/model-pricing | jq -r '.[] | select(.model == "gpt-4o-mini") | .version')" "now: version 2"
out=$(curl -sS -w "\nHTTP %{http_code}" "$KEEPTRUSTS_API_URL/v1/model-pricing?at=yesterday" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN")
assert_eq "HTTP 400" "$(tail -n1 <<<"$out")" "a bad ?at= is refused"
assert_eq "0" "$(api GET "/v1/model-pricing?at=$((v1_from - 10))" | jq length)" "nothing was priced before v1"

# No rewriting history: an effective_from in the past, before the latest version's, is a 409.
out=$(curl -sS -w "\nHTTP %{http_code}" -X POST "$KEEPTRUSTS_API_URL/v1/model-pricing" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" \
  -d "{\"model\":\"gpt-4o-mini\",\"provider\":\"openai\",\"input_cost_per_1k_tokens\":0.0001,\"output_cost_per_1k_tokens\":0.0004,\"effective_from\":$((v2_from - 1))}")
assert_eq "HTTP 409" "$(tail -n1 <<<"$out")" "rewriting history is refused"
assert_eq "pricing_history_conflict" "$(head -n1 <<<"$out" | jq -r .error.code)" "with the error envelope"
assert_eq "2" "$(api GET /v1/model-pricing | jq -r '.[] | select(.model == "gpt-4o-mini") | .version')" "nothing changed"

# A scheduled version: in force from its time, listed with ?include=scheduled meanwhile.
future=$(( $(date -u +%s) + 3600 ))
out=$(api POST /v1/model-pricing "{\"model\":\"gpt-4o-mini\",\"provider\":\"openai\",\"input_cost_per_1k_tokens\":0.0004,\"output_cost_per_1k_tokens\":0.0016,\"effective_from\":\"$(date -u -d "@$future" +%Y-%m-%dT%H:%M:%SZ)\"}")
assert_eq "3 $future" "$(jq -r '"\(.version) \(.effective_from_unix)"' <<<"$out")" "a future effective_from (RFC 3339) is version 3"
assert_eq "2" "$(api GET /v1/model-pricing | jq -r '.[] | select(.model == "gpt-4o-mini") | .version')" "the old price stays in force until then"
assert_eq "3 true" "$(api GET '/v1/model-pricing?include=scheduled' | jq -r '.[] | select(.model == "gpt-4o-mini" and .scheduled) | "\(.version) \(.scheduled)"')" "listed as scheduled"
assert_eq "3" "$(api GET "/v1/model-pricing?at=$future" | jq -r '.[] | select(.model == "gpt-4o-mini") | .version')" "in force at its time"

# The unit sanity check: accepted, with warnings.
out=$(api POST /v1/model-pricing '{"model":"per-1m-typo","provider":"openai","input_cost_per_1k_tokens":2.5,"output_cost_per_1k_tokens":0.00000015}')
assert_eq "1" "$(jq -r .version <<<"$out")" "a suspicious price is still accepted"
assert_contains "$(jq -r '.warnings[0]' <<<"$out")" "looks like a per-1M price" "warning for a per-1M price"
assert_contains "$(jq -r '.warnings[1]' <<<"$out")" "looks like a per-token price" "warning for a per-token price"
finish
