#!/usr/bin/env bash
# The gateway's spool on a full disk (a real file system: a 512 KiB tmpfs, filled up): new priced
# requests get 503 spool_unavailable with Retry-After at once (nothing reserved, forwarded or
# billed), a request already in flight completes and its settle is written when space comes back,
# /health answers throughout, and once space is freed everything reaches the ledger exactly.
# Mounting needs root (scripts/test.sh runs as root on CI): without it the test fails, never skips.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger_check.sh"
source "$(dirname "$0")/load_lib.sh"
mkdir -p "$WORK/spool"
if ! mount -t tmpfs -o size=512k,mode=0700 tmpfs "$WORK/spool" 2>"$WORK/mount.err"; then
  fail "cannot mount a tmpfs for the spool (this test needs root): $(cat "$WORK/mount.err")"
  finish
fi
# Lazily: the gateway still holds its segment open until cleanup stops it.
trap 'umount -l "$WORK/spool" 2>/dev/null || true; cleanup' EXIT
start_mock_and_api
allocate team_engineering 5
start_example_gateway --threads 1
spent_nanos() { balance team_engineering | jq .spent | nanos; }
slow_stream='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Write a short haiku about cloud computing. [mock:chunk_delay_ms=400]"}]}'

assert_eq 200 "$(req $ENG "$HAIKU")" "a request with room on the disk"
wait_events engineering 1
# A stream in flight (its intent is on disk) when the disk fills up.
hits=$(mock_hits)
curl -sS -N -D "$WORK/inflight.headers" "$GW_URL/v1/chat/completions" -H "Content-Type: application/json" -H "X-Consumer-Group: $ENG" \
  -d "$slow_stream" >"$WORK/inflight" 2>&1 &
INFLIGHT=$!
eventually '[ "$(mock_hits)" -gt '"$hits"' ]' 5 || fail "the slow stream did not start"
dd if=/dev/zero of="$WORK/spool/filler" bs=4k 2>/dev/null || true
assert_eq 0 "$(df --output=avail -B1 "$WORK/spool" | tail -1 | tr -d ' ')" "the spool's file system is full"
# The segment's last page still has room (tmpfs allocates whole pages): requests are served, and
# recorded, until a write does not fit. Then every new priced request is refused.
filling=0
while [ "$filling" -lt 8 ] && [ "$(req $ENG "$HAIKU")" = 200 ]; do filling=$((filling + 1)); done
assert_eq 503 "$(awk 'NR == 1 {print $2}' "$WORK/headers")" "disk full: refused once the segment's page is full ($filling served before)"
assert_eq spool_unavailable "$(jq -r .error.code "$WORK/body")" "disk full: the first refusal says spool_unavailable"

# New priced requests: refused at once, nothing forwarded.
hits=$(mock_hits)
for i in 1 2 3; do
  t0=$(date +%s%N)
  assert_eq 503 "$(req $ENG "$HAIKU")" "disk full: request $i refused"
  took=$(( ($(date +%s%N) - t0) / 1000000 ))
  assert_eq spool_unavailable "$(jq -r .error.code "$WORK/body")" "disk full: request $i says spool_unavailable"
  assert_eq 5 "$(grep -i '^retry-after:' "$WORK/headers" | tr -d '\r' | awk '{print $2}')" "disk full: request $i has Retry-After"
  [ "$took" -lt 1000 ] && pass "disk full: request $i answered in ${took} ms" || fail "disk full: request $i took ${took} ms"
done
assert_eq "$hits" "$(mock_hits)" "disk full: nothing forwarded"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$GW_URL/health")" "disk full: the gateway answers /health"
# The stream in flight completes; its settle waits in memory for the disk.
wait "$INFLIGHT" || fail "the stream in flight failed"
grep -qF 'data: [DONE]' "$WORK/inflight" && pass "the stream in flight completed" || fail "the stream in flight: $(cat "$WORK/inflight")"
inflight_id=$(request_id "$WORK/inflight.headers")
sleep 0.5
assert_eq "{}" "$(event_of "$inflight_id")" "disk full: the in-flight request's record has not reached the ledger yet"
grep -q "No space left on device: new priced requests are refused" "$WORK/gateway.log" && pass "the gateway logs why it refuses" ||
  fail "no spool error in the gateway's log"

# Space comes back: everything reaches the ledger, once.
rm -f "$WORK/spool/filler"
served=$((2 + filling))
eventually '[ "$(spent_nanos)" = '"$((served * UNIT))"' ]' 10 || fail "the in-flight settle did not arrive: $(balance team_engineering)"
assert_eq "ok $UNIT" "$(event_of "$inflight_id" | jq -r '"\(.reason) \(.cost * 1000000000 | round)"')" "space back: the in-flight request billed once"
ledger_exact team_engineering engineering $((served + 4)) $((served * UNIT)) "space back"
assert_eq "$served 4" "$(events_of engineering | jq -r '"\([.[] | select(.reason == "ok")] | length) \([.[] | select(.reason == "spool_unavailable")] | length)"')" \
  "space back: one event per request ($served served, 4 refused)"
assert_eq 200 "$(req $ENG "$HAIKU")" "space back: requests are served again"
ledger_exact team_engineering engineering $((served + 5)) $(( (served + 1) * UNIT )) "served again"
out=$("$KT" ledger verify --database "sqlite:$WORK/kt.db" 2>&1) || fail "kt ledger verify: $out"
assert_contains "$out" "OK" "kt ledger verify passes"
finish
