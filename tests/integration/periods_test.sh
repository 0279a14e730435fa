#!/usr/bin/env bash
# Budget periods with a fake clock (KT_FAKE_CLOCK_FILE, read by the API and the gateway at
# every clock read): a monthly wallet crossing midnight UTC into May, a daily wallet crossing
# local midnight in Tokyo, and a prepaid (period "none") wallet running out and topped up.
source "$(dirname "$0")/lib.sh"
export KT_FAKE_CLOCK_FILE="$WORK/clock"
set_clock() { echo "$(date -u -d "$1" +%s)" >"$KT_FAKE_CLOCK_FILE"; }
set_clock 2026-04-30T23:59:50Z

start_mock_and_api
allocate team_engineering 10.00
out=$(api POST /v1/wallets/allocate '{"team_id":"team_marketing","amount":5,"period":"daily","timezone":"Asia/Tokyo"}')
assert_eq "daily Asia/Tokyo 2026-05-01 2026-05-01T15:00:00.000000Z" \
  "$(jq -r '.balance | "\(.period_kind) \(.timezone) \(.period) \(.period_ends_at)"' <<<"$out")" "daily wallet in Tokyo: already May 1st there"
out=$(api POST /v1/wallets/allocate '{"team_id":"team_prepaid","amount":0.01,"period":"none"}')
assert_eq "none all null" "$(jq -r '.balance | "\(.period_kind) \(.period) \(.period_ends_at)"' <<<"$out")" "prepaid wallet"

# Bad period settings: 400 with the error envelope, nothing changed.
for bad in '{"team_id":"team_engineering","amount":1,"period":"yearly"}' \
  '{"team_id":"team_engineering","amount":1,"timezone":"Mars/Olympus"}' \
  '{"team_id":"team_engineering","amount":1,"timezone":"+25:00"}' \
  '{"team_id":"team_engineering","amount":1,"period":7}'; do
  out=$(curl -sS -w '\n%{http_code}' -X POST "$KEEPTRUSTS_API_URL/v1/wallets/allocate" \
    -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" -H "Content-Type: application/json" -d "$bad")
  assert_eq "400 invalid_request_error" "$(tail -n1 <<<"$out") $(head -n -1 <<<"$out" | jq -r .error.type)" "refused: $bad"
done
assert_eq "10 monthly UTC 2026-04" "$(balance team_engineering | jq -r '"\(.budget) \(.period_kind) \(.timezone) \(.period)"')" \
  "bad allocations changed nothing"

write_config "$WORK/policy-config.yaml"
sed -i 's#^    wallet_team_id: team_marketing#&\n  - name: prepaid\n    api_key: kt_cg_prepaid_ghi789\n    wallet_team_id: team_prepaid#' \
  "$WORK/policy-config.yaml"
start_gateway "$WORK/policy-config.yaml"
haiku='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a short haiku about cloud computing."}]}'
settled() { eventually "[ \"\$(balance $1 | jq -r .reserved)\" = 0 ] && [ \"\$(balance $1 | jq -r .spent)\" != 0 ]" 10; }

# Monthly: one request on April 30th at 23:59:50 UTC, one in May.
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "april request"
settled team_engineering || fail "april request not settled"
assert_eq "2026-04 0.0000171" "$(balance team_engineering | jq -r '"\(.period) \(.spent)"' | sed 's/1.71e-05/0.0000171/')" "april spend"
set_clock 2026-05-01T00:00:05Z
assert_eq "2026-05 10 0 10" "$(balance team_engineering | jq -r '"\(.period) \(.budget) \(.spent) \(.remaining)"')" \
  "May starts fresh with the same budget"
assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 "$haiku" | tail -n1)" "may request"
settled team_engineering || fail "may request not settled"
out=$("$KT" spend --team engineering --period 2026-04)
assert_contains "$out" "Period: 2026-04-01 to 2026-04-30" "spend --period 2026-04: the April period"
assert_contains "$out" "gpt-4o-mini: \$0.0000171 (39 tokens, 1 request)" "spend --period 2026-04: the April request"
out=$("$KT" spend --team engineering)
assert_contains "$out" "Period: 2026-05-01 to 2026-05-31" "spend: the current period is May"
assert_contains "$out" "gpt-4o-mini: \$0.0000171 (39 tokens, 1 request)" "spend: the May request is in May"
for bad in 2026-13 2026-W60 April garbage; do
  if out=$("$KT" spend --team engineering --period "$bad" 2>&1); then
    fail "spend --period $bad should fail"
  else
    assert_contains "$out" "period" "spend --period $bad: a clear error"
  fi
done
if "$KT" spend --team engineering --period 2026-03 >/dev/null 2>&1; then fail "a period without a wallet should fail"; fi

# Daily in Tokyo: 14:59:50 UTC is 23:59:50 there.
set_clock 2026-05-01T14:59:50Z
assert_eq "HTTP 200" "$(chat kt_cg_marketing_def456 "$haiku" | tail -n1)" "tokyo: request before local midnight"
settled team_marketing || fail "tokyo request not settled"
set_clock 2026-05-01T15:00:05Z
assert_eq "2026-05-02 5 0" "$(balance team_marketing | jq -r '"\(.period) \(.budget) \(.spent)"')" "tokyo: a new day at local midnight"
assert_eq "HTTP 200" "$(chat kt_cg_marketing_def456 "$haiku" | tail -n1)" "tokyo: request after local midnight"
settled team_marketing || fail "tokyo second request not settled"
out=$("$KT" spend --team marketing --period 2026-05-01)
assert_contains "$out" "Period: 2026-05-01 to 2026-05-01" "tokyo: May 1st queryable"
assert_contains "$out" "(39 tokens, 1 request)" "tokyo: one request on May 1st"
out=$("$KT" spend --team marketing --period 2026-05-02)
assert_contains "$out" "(39 tokens, 1 request)" "tokyo: one request on May 2nd"

# Prepaid: runs out (402), works again after a credit, and never resets.
essay='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write a long essay about every country in the world."}]}'
assert_eq "HTTP 200" "$(chat kt_cg_prepaid_ghi789 "$essay" | tail -n1)" "prepaid: first essay fits"
settled team_prepaid || fail "prepaid essay not settled"
assert_eq "HTTP 402" "$(chat kt_cg_prepaid_ghi789 "$essay" | tail -n1)" "prepaid: out of money"
set_clock 2026-07-01T00:00:00Z
assert_eq "HTTP 402" "$(chat kt_cg_prepaid_ghi789 "$essay" | tail -n1)" "prepaid: a new month adds nothing"
out=$(api POST /v1/wallets/credit '{"team_id":"team_prepaid","amount":1.00,"description":"top-up"}')
assert_eq "1.01 all" "$(jq -r '.balance | "\(.budget) \(.period)"' <<<"$out")" "credit tops up the prepaid wallet"
assert_eq "HTTP 200" "$(chat kt_cg_prepaid_ghi789 "$essay" | tail -n1)" "prepaid: works again after the credit"
out=$(curl -sS -w '\n%{http_code}' -X POST "$KEEPTRUSTS_API_URL/v1/wallets/credit" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" \
  -H "Content-Type: application/json" -d '{"team_id":"team_nobody","amount":1}')
assert_eq "404" "$(tail -n1 <<<"$out")" "credit without a wallet: 404"
out=$(curl -sS -w '\n%{http_code}' -X POST "$KEEPTRUSTS_API_URL/v1/wallets/credit" -H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN" \
  -H "Content-Type: application/json" -d '{"team_id":"team_prepaid","amount":0}')
assert_eq "400" "$(tail -n1 <<<"$out")" "credit of 0: 400"
out=$("$KT" spend --team prepaid --period all)
assert_contains "$out" "Period: all (prepaid wallet)" "spend --period all"
eventually '[ "$(balance team_prepaid | jq -r .reserved)" = 0 ]' 10 || fail "prepaid reservations not drained"
"$KT" ledger verify --database "sqlite:$WORK/kt.db" >"$WORK/verify.out" 2>&1 || fail "ledger verify: $(cat "$WORK/verify.out")"
finish
