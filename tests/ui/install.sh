#!/usr/bin/env bash
# Installs the dashboard's browser-test dependency (playwright-core, pinned and checksummed by
# package-lock.json) into tests/ui/node_modules; `npm ci` only when node_modules is missing or the
# lock changed. The browser is Debian's chromium (scripts/setup.sh): playwright downloads none.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec bash "$here/../../scripts/npm-ci-locked.sh" "$here" playwright-core ui-tests
