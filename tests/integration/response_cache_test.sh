#!/usr/bin/env bash
# The response cache (docs/traffic.md "Response cache"): exact match per team, x-kt-cache hit|miss|bypass,
# Cache-Control no-store / no-cache / max-age, TTL expiry (fake clock), streams replayed as SSE.
# A hit is never forwarded, costs exactly $0 and records cost_saved; everything else is charged
# exactly: each forwarded request costs 9 x 150 + 900 x 600 = 541,350 nano-dollars. One worker
# (--threads 1): the cache is per worker, so a repeat on another worker would miss.
source "$(dirname "$0")/lib.sh"
export KT_FAKE_CLOCK_FILE="$WORK/clock"
set_clock() { echo "$1" >"$KT_FAKE_CLOCK_FILE"; }
T0=1796119200  # 2026-12-01T10:00:00Z
set_clock $T0
start_mock_and_api
allocate team_engineering 10
allocate team_marketing 10
write_config "$WORK/policy-config.yaml"
cat >>"$WORK/policy-config.yaml" <<'YAML'
cache:
  enabled: true
  mode: exact
  ttl_seconds: 300
  max_entries: 100
  backend: memory
YAML
"$KT" policy lint --file "$WORK/policy-config.yaml" >"$WORK/lint.txt" 2>&1 || fail "lint refuses the documented cache shape: $(cat "$WORK/lint.txt")"
start_gateway "$WORK/policy-config.yaml" --threads 1
ENG=kt_cg_engineering_abc123
MKT=kt_cg_marketing_def456
Q='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
# The same question: keys in another order, spaces, and a `user` (not part of the key).
Q_SAME='{ "messages": [{"content":"ok [mock:completion_tokens=900]","role":"user"}], "user":"alice", "max_tokens":1000, "model":"gpt-4o-mini" }'
ask() {  # KEY BODY [curl args...] -> "STATUS CACHE" (headers in $WORK/h, body in $WORK/b)
  local key=$1 b=$2
  shift 2
  local code
  code=$(curl -sS -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$GW_URL/v1/chat/completions" \
    -H "Content-Type: application/json" -H "X-Consumer-Group: $key" "$@" -d "$b")
  echo "$code $(header x-kt-cache)"
}
header() { grep -i "^$1:" "$WORK/h" | tr -d '\r' | awk '{print $2}'; }
settled() {  # TEAM NANOS: wait until the wallet has spent exactly NANOS
  eventually "[ \"\$(spent_nanos $1)\" = $2 ]" 10 || fail "$1: expected $2 nano-dollars spent, got $(spent_nanos "$1")"
}
C=541350
usd() { printf '%d.%09d' $(($1 / 1000000000)) $(($1 % 1000000000)) | sed -e 's/0*$//' -e 's/\.$//'; }

assert_eq "200 miss" "$(ask $ENG "$Q")" "first question: miss"
first=$(cat "$WORK/b")
settled team_engineering $C
hits=$(mock_hits)
assert_eq "200 hit" "$(ask $ENG "$Q_SAME")" "the same question (reordered, another user): hit"
assert_eq "$first" "$(cat "$WORK/b")" "the hit is the first answer"
assert_eq "0" "$(header x-kt-cost-usd)" "a hit costs 0"
assert_eq "$hits" "$(mock_hits)" "a hit is not forwarded"

# Another team asking the same: its own miss, its own charge; then its own hit.
assert_eq "200 miss" "$(ask $MKT "$Q")" "marketing, same body: miss (never shared across teams)"
assert_eq "200 hit" "$(ask $MKT "$Q")" "marketing again: hit"
settled team_marketing $C

# no-store: neither looked up nor stored; no-cache: not looked up, stored.
assert_eq "200 bypass" "$(ask $ENG "$Q" -H 'Cache-Control: no-store')" "no-store: bypass"
settled team_engineering $((2 * C))
assert_eq "200 bypass" "$(ask $ENG "$Q" -H 'Cache-Control: no-cache')" "no-cache: bypass"
settled team_engineering $((3 * C))
assert_eq "200 hit" "$(ask $ENG "$Q")" "after no-store and no-cache the entry is there"
hits=$(mock_hits)

# max-age: an entry 100 s old is too old for max-age=50 (a miss, answered and stored again), fine for max-age=100.
set_clock $((T0 + 100))
assert_eq "200 hit" "$(ask $ENG "$Q" -H 'Cache-Control: max-age=100')" "max-age=100 takes a 100 s old entry"
assert_eq "200 miss" "$(ask $ENG "$Q" -H 'Cache-Control: max-age=50')" "max-age=50 refuses it"
settled team_engineering $((4 * C))
assert_eq "$((hits + 1))" "$(mock_hits)" "only the max-age=50 miss was forwarded"
assert_eq "400 invalid_cache_control" "$(ask $ENG "$Q" -H 'Cache-Control: max-age=soon' | cut -d' ' -f1) $(jq -r .error.code "$WORK/b")" \
  "a malformed max-age: 400"

# TTL: 300 s after the last store (at T0 + 100) the entry is gone.
set_clock $((T0 + 399))
assert_eq "200 hit" "$(ask $ENG "$Q")" "299 s old: still fresh"
set_clock $((T0 + 400))
assert_eq "200 miss" "$(ask $ENG "$Q")" "300 s old: expired"
settled team_engineering $((5 * C))

# Streams are keyed apart (stream is part of the request) and replayed as the same SSE bytes.
S='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
assert_eq "200 miss" "$(ask $ENG "$S")" "a stream: miss"
stream_first=$(cat "$WORK/b")
assert_contains "$stream_first" "data: [DONE]" "the stream ran to its end"
eventually '[ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 10 || fail "stream not settled"
spent_after_stream=$(spent_nanos team_engineering)
assert_eq "200 hit" "$(ask $ENG "$S")" "the same stream: hit"
assert_eq "$stream_first" "$(cat "$WORK/b")" "replayed as the same SSE"
assert_contains "$(header content-type)" "text/event-stream" "as text/event-stream"

# Events: every hit records cache: hit, cost 0 and cost_saved (the first answer's cost); spend
# is exactly the misses and bypasses.
eventually '[ "$("$KT" events tail --last 50 --format json | jq "map(select(.cache == \"hit\")) | length")" = 6 ]' 10 ||
  fail "6 hit events expected (5 engineering, 1 marketing)"
ev=$("$KT" events tail --last 50 --format json)
assert_eq "0 0.00054135 cache_hit" \
  "$(jq -r 'map(select(.cache == "hit" and .stream == false and .consumer_group == "engineering"))[0] | "\(.cost) \(.cost_saved) \(.reason)"' <<<"$ev")" \
  "a hit's event: cost 0, cost_saved, reason"
assert_eq "miss null" "$(jq -r 'map(select(.cache == "miss"))[0] | "\(.cache) \(.cost_saved)"' <<<"$ev")" "a miss's event"
assert_eq "$spent_after_stream" "$(spent_nanos team_engineering)" "hits charged nothing"
assert_eq "$C" "$(spent_nanos team_marketing)" "marketing: one miss charged"
saved=$(usd $((4 * C + spent_after_stream - 5 * C)))  # four plain hits and one stream hit
assert_eq "5 $saved" "$("$KT" spend --team engineering --by user --format json | jq -r '"\(.cache_hits) \(.cost_saved)"')" \
  "kt spend: the hits and what they saved (JSON)"
assert_contains "$("$KT" spend --team engineering --by user)" "Saved by the response cache: \$$saved (5 hits)" \
  "kt spend: the savings line"
finish
