# Helpers for the tests that run on the throwaway PostgreSQL (sourced after lib.sh).

# A fresh database for this test in PG_URL, dropped at exit after every process is stopped. Without
# KT_TEST_POSTGRES_URL the test is skipped locally (exit 77: ctest shows "Skipped") and fails under
# CI=true (scripts/test.sh always starts the throwaway cluster and sets it).
use_test_database() {  # NAME_PREFIX
  if [ -z "${KT_TEST_POSTGRES_URL:-}" ]; then
    local msg="KT_TEST_POSTGRES_URL is not set (bash scripts/test.sh starts a throwaway PostgreSQL and sets it)"
    if [ "${CI:-}" = true ]; then fail "$msg"; finish; fi
    echo "SKIP: $msg"
    exit 77  # ctest reports it as skipped (SKIP_RETURN_CODE), never as passed
  fi
  DB_NAME="${1}_$$_$RANDOM"
  PG_URL="${KT_TEST_POSTGRES_URL%/*}/$DB_NAME"
  psql -q -v ON_ERROR_STOP=1 "$KT_TEST_POSTGRES_URL" -c "CREATE DATABASE $DB_NAME" >/dev/null
  trap 'cleanup; drop_test_database' EXIT
}
drop_test_database() { psql -q "$KT_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true; }

# Decimal text (a JSON number's raw text) -> integer nano-dollars, exactly (jq would go through doubles).
decimal_nanos() {
  local v=$1 int frac
  int=${v%%.*}; frac=""
  [[ $v == *.* ]] && frac=${v#*.}
  frac=$(printf '%-9s' "$frac" | tr ' ' 0)
  echo $((10#$int * 1000000000 + 10#${frac:0:9}))
}
# The wallet's spent, exactly, from the raw JSON text of its balance.
spent_nanos_of() { decimal_nanos "$(api GET "/v1/wallets/balance?team_id=$1" | grep -o '"spent":[0-9.]*' | head -n1 | cut -d: -f2)"; }
# Sum of the cost fields of `kt events tail --format json` output, exactly.
event_cost_nanos() {
  local sum=0 c
  for c in $(grep -o '"cost":[0-9.]*' <<<"$1" | cut -d: -f2); do sum=$((sum + $(decimal_nanos "$c"))); done
  echo "$sum"
}

# burst COUNT PARALLEL BODY: COUNT concurrent chat requests as engineering, spread round-robin over
# GW_URLS; sets ok and refused (200s and 402s) and checks that every answer was one of them.
burst() {
  local count=$1 parallel=$2 body=$3 n
  for n in $(seq 1 "$count"); do echo "${GW_URLS[$((n % ${#GW_URLS[@]}))]}"; done |
    xargs -P "$parallel" -I{} curl -s -o /dev/null -w "%{http_code}\n" "{}/v1/chat/completions" \
      -H "Content-Type: application/json" -H "X-Consumer-Group: kt_cg_engineering_abc123" -d "$body" >"$WORK/codes.txt"
  ok=$(grep -c '^200$' "$WORK/codes.txt" || true)
  refused=$(grep -c '^402$' "$WORK/codes.txt" || true)
  if [ "$count" = "$((ok + refused))" ]; then
    pass "every request got 200 or 402 ($ok / $refused)"
  else
    fail "every request got 200 or 402 ($ok / $refused): statuses (count status): $(sort "$WORK/codes.txt" | uniq -c | tr -s ' \n' ' ')"
  fi
}
