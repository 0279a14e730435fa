#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (the sanitizer build, ./build-asan; KT_BUILD_DIR
# names another folder) and runs them, each from its seed corpus (tests/fuzz/corpus/<target>/).
#   bash scripts/fuzz.sh --list                  # the target names
#   bash scripts/fuzz.sh [TARGET|all] [SECONDS]  # default: every target, 20 s each
# One line per target: executions, coverage (cov: edges, ft: features), corpus size. A finding
# (sanitizer report, broken invariant, leak, timeout, out of memory) prints the report, keeps the
# input in BUILD/fuzz-findings/<target>/ and makes the script exit 1 (after the other targets).
# Replay one input: BUILD/fuzz/fuzz_<target> FILE. The corpus a run grows is kept in
# BUILD/fuzz-corpus/<target>/ for the next run; the seeds are not touched. KT_FUZZ_FLAGS adds
# libFuzzer flags (e.g. "-jobs=2 -workers=2").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KT_BUILD_DIR=${KT_BUILD_DIR:-build-asan}
build=$KT_BUILD_DIR

mapfile -t all_targets < <(for f in tests/fuzz/*_fuzz.cpp; do basename "$f" _fuzz.cpp; done)
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${all_targets[@]}"
  exit 0
fi
target=${1:-all}
seconds=${2:-20}
if [ "$target" = all ]; then
  targets=("${all_targets[@]}")
elif [ -f "tests/fuzz/${target}_fuzz.cpp" ]; then
  targets=("$target")
else
  echo "fuzz.sh: no target '$target' (bash scripts/fuzz.sh --list)" >&2
  exit 2
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a number, got '$seconds'" >&2; exit 2; }

# Under ctest (KT_FUZZ_PREBUILT=1) the build is done and must not be re-entered.
if [ "${KT_FUZZ_PREBUILT:-0}" != 1 ]; then
  bins=()
  for t in "${targets[@]}"; do bins+=("fuzz_$t"); done
  bash scripts/build-sanitized.sh "${bins[@]}" >/dev/null
fi

# Token dictionaries: libFuzzer splices them into inputs (JSON for the body and wire targets).
dict_of() {
  case "$1" in
    http_server) echo tests/fuzz/dict/http.dict ;;
    config_loader) echo tests/fuzz/dict/yaml.dict ;;
    sse_parser | anthropic_stream) echo tests/fuzz/dict/sse.dict ;;
    money) echo tests/fuzz/dict/number.dict ;;
    *) echo tests/fuzz/dict/json.dict ;;
  esac
}

failed=()
read -r -a extra <<<"${KT_FUZZ_FLAGS:-}"
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t" findings="$build/fuzz-findings/$t" log="$build/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  dict=$(dict_of "$t")
  flags=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1
         -artifact_prefix="$findings/" ${extra[@]+"${extra[@]}"})
  [ -f "$dict" ] && flags+=(-dict="$dict")
  start=$(date +%s)
  if "$build/fuzz/fuzz_$t" "${flags[@]}" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
  fi
  # libFuzzer's last status line: "#1234 DONE cov: 567 ft: 890 corp: 12/3456b ..."
  last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | tail -n 1 || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | tail -n 1 || true)
  files=$(find "$corpus" -type f | wc -l)
  printf 'fuzz %-20s %-6s %4ss %10s execs (%s/s) %-10s %-10s corpus %s files\n' "$t" "$status" "$(( $(date +%s) - start ))" \
    "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "${ft:-ft: ?}" "$files"
  if [ "$status" = FAILED ]; then
    echo "---- $t: the finding (full log: $log)"
    grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$log" | tail -n 60
    echo "---- inputs kept in $findings:"
    ls -1 "$findings"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]}" >&2
  exit 1
fi
