#!/usr/bin/env bash
# Runs one integration test (sanitizer build) with the sanitizer reports of every program it
# starts (kt servers and CLI calls, the mock upstream) written to files, and fails the test when
# there is one. Without this a server's report would go to a log the test deletes on success, and
# a leak found when a server exits at the end would change nothing the test checks.
set -uo pipefail
reports=$(mktemp -d /tmp/kt-sanitizer.XXXXXX)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$reports/report"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$reports/report"
export KT_SANITIZED=1  # lib.sh: memory bounds allow for ASan's own
bash "$@"
rc=$?
shopt -s nullglob
# ASan warns once per process that swapcontext may cause false reports. The API's store
# coroutines switch stacks with it, and tell ASan of every switch (BOOST_USE_ASAN, CMakeLists), so
# the warning alone is no finding; anything else in a report is.
for f in "$reports"/report.*; do
  grep -vE "^==[0-9]+==WARNING: ASan doesn't fully support makecontext/swapcontext functions and may produce false positives in some cases!$|^$" "$f" >/dev/null || rm -f "$f"
done
found=("$reports"/report.*)
if [ ${#found[@]} -gt 0 ]; then
  echo "FAIL: sanitizer reports from programs this test started:" >&2
  for f in "${found[@]}"; do
    echo "==== $f" >&2
    cat "$f" >&2
  done
  rc=1
fi
rm -rf "$reports"
exit "$rc"
