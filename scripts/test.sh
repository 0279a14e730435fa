#!/usr/bin/env bash
# Every test: set-up (packages, tokenizer data), build, a throwaway PostgreSQL, then ctest
# (unit + integration).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/build.sh

# A throwaway PostgreSQL on loopback for the PostgreSQL store tests and the multi-replica
# integration test; stopped (and deleted) at exit unless it was already running before.
pg="$PWD/scripts/postgres.sh"
if ! bash "$pg" status; then
  trap 'bash "$pg" stop' EXIT
fi
KT_TEST_POSTGRES_URL=$(bash "$pg" start)
export KT_TEST_POSTGRES_URL

cd build
ctest --output-on-failure --timeout 300 -j2
