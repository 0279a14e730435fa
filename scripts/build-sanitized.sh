#!/usr/bin/env bash
# The sanitizer build: AddressSanitizer + UBSan at -O1 (Debug otherwise: asserts on), every library
# instrumented for libFuzzer too (KT_FUZZ), into ./build-asan (KT_BUILD_DIR names another folder).
# One build serves the unit tests, the integration tests and the fuzzers of tests/fuzz.
#   bash scripts/build-sanitized.sh            # everything: kt, the mock upstream, tests, fuzzers
#   bash scripts/build-sanitized.sh fuzzers    # only the given targets
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KT_BUILD_DIR=${KT_BUILD_DIR:-build-asan}
KT_BUILD_TARGETS="$*" bash scripts/build.sh -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" \
  -DKT_FUZZ=ON -DKT_BUILD_BENCH=OFF
