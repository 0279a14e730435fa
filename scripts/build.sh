#!/usr/bin/env bash
# Configures and builds (Release, -O2) into ./build. Extra args go to the configure step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
