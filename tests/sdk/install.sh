#!/usr/bin/env bash
# Installs the SDK test dependencies (the official openai npm package, pinned by package-lock.json)
# into tests/sdk/node_modules; `npm ci` only when node_modules is missing or the lock changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../../scripts/npm-ci-locked.sh" "$here" openai sdk-tests
