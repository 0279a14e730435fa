#!/usr/bin/env bash
# Configures and builds (Release, -O2) into ./build with clang-16 (CMakeLists.txt says why not
# GCC). Extra args go to the configure step (a later -D wins, build type included); KT_BUILD_DIR
# names another folder. Uses ccache when it is installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${KT_BUILD_DIR:-build}
# A build folder configured earlier with another compiler is reconfigured from scratch.
if [ -f "$BUILD_DIR/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++-16' "$BUILD_DIR/CMakeCache.txt"; then
  rm -rf "$BUILD_DIR/CMakeCache.txt" "$BUILD_DIR/CMakeFiles"
fi
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang-16 CXX=clang++-16 cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" >/dev/null
# KT_BUILD_TARGETS (space-separated) builds only those targets instead of everything.
read -r -a targets <<<"${KT_BUILD_TARGETS:-}"
cmake --build "$BUILD_DIR" -j"$(nproc)" ${targets[@]+--target "${targets[@]}"}
