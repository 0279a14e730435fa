#!/usr/bin/env bash
# Every test: set-up (packages, tokenizer data), the Release build (./build) and the sanitizer
# build (./build-asan: ASan + UBSan at -O1, libFuzzer coverage), a throwaway PostgreSQL, then
#   1. ctest in build-asan: unit and integration tests under the sanitizers (any report fails its
#      test), then every fuzz target for 20 s from its corpus (label fuzz);
#   2. ctest in build: unit and integration tests on the Release build.
# The output closes with ctest's summary (the sanitizer run's again when it failed); any failure
# makes the script exit 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build-sanitized.sh

# A throwaway PostgreSQL on loopback for the PostgreSQL store tests and the multi-replica
# integration test; stopped (and deleted) at exit unless it was already running before.
pg="$PWD/scripts/postgres.sh"
if ! bash "$pg" status; then
  trap 'bash "$pg" stop' EXIT
fi
KT_TEST_POSTGRES_URL=$(bash "$pg" start)
export KT_TEST_POSTGRES_URL

status=0
sanitizer_log="$PWD/build-asan/ctest-sanitizer.log"
(cd build-asan && ctest --output-on-failure --timeout 600 -j2) 2>&1 | tee "$sanitizer_log" || status=1
sanitizer_status=$status
(cd build && ctest --output-on-failure --timeout 300 -j2) || status=1
if [ "$sanitizer_status" -ne 0 ]; then
  echo
  echo "The sanitizer build's tests failed (build-asan; full log: $sanitizer_log). Its ctest summary:"
  sed -n '/% tests passed/,$p' "$sanitizer_log"
fi
exit "$status"
