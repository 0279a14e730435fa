#!/usr/bin/env bash
# Two gateway workers, each with its own budget lease, and a wallet that runs out: a request one
# worker cannot fit because the other's idle lease holds the room still gets it (the other worker
# hands its idle lease back), so every request the wallet can pay is served, and no more.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
allocate team_marketing 0.02
start_example_gateway --threads 2

# Each request reserves 9 x 150 + 1000 x 600 = 601,350 nano-dollars and costs 541,350: the $0.02
# wallet pays for 36 (35 x 541,350 + 601,350 <= 0.02 < 36 x 541,350 + 601,350). They go four at a
# time on new connections, so both workers see them, often enough to take budget leases.
req='{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}'
export -f chat
export GW_URL req
seq 1 36 | xargs -P 4 -I{} bash -c 'chat kt_cg_marketing_def456 "$req" | tail -n1' >"$WORK/codes.txt"
assert_eq 36 "$(grep -c "HTTP 200" "$WORK/codes.txt")" "36 requests the wallet can pay are served"
eventually '[ "$(balance team_marketing | jq -r .reserved)" = 0 ]' || fail "reservations still held"
assert_eq "HTTP 402" "$(chat kt_cg_marketing_def456 "$req" | tail -n1)" "the 37th does not fit"
assert_eq "0.0194886" "$(balance team_marketing | jq -r .spent | awk '{printf "%.7f", $1}')" "36 requests spent exactly"
finish
