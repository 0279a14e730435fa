#!/usr/bin/env bash
# Fetches the dashboard's chart library, uPlot (MIT), from the npm package uplot@1.6.32 into
# third_party/uplot/ (or $KT_UPLOT_DIR): the ES module, its stylesheet and its licence, each checked
# by SHA-256 (a mismatch is fatal). The build copies them into <build>/ui/vendor/uplot/, which
# `kt api serve` serves under /ui/: the page fetches nothing from elsewhere. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/npm-fetch-lib.sh"

label=fetch-uplot
package="uplot@1.6.32"
dest="${KT_UPLOT_DIR:-$here/third_party/uplot}"
declare -A expected=(
  [uPlot.esm.js]=5dd9b3281aa64b461b42d9945f6adb2649d346502b12281a9ae0d46599a80eba
  [uPlot.min.css]=df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04
  [LICENSE]=8f989229699b4fe2f1a0432d0e9edc338a8a911e250e2d1b01ecd770a5f5b1bd
)
declare -A source_of=([uPlot.esm.js]=package/dist/uPlot.esm.js [uPlot.min.css]=package/dist/uPlot.min.css
  [LICENSE]=package/LICENSE)
declare -A unpinned=()
npm_fetch_files
