#!/usr/bin/env bash
# Every test: set-up (packages, tokenizer data), build, then ctest (unit + integration).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 300 -j2
