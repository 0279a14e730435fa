#!/usr/bin/env bash
# Installs the SDK test dependencies (the official openai npm package, pinned by package-lock.json)
# into tests/sdk/node_modules. Idempotent: `npm ci` runs only when node_modules is missing or the
# lock file changed since the last install (a sha256 stamp inside node_modules records it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$here/node_modules/.kt-lock.sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"

if [ -d "$here/node_modules/openai" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "sdk-tests: node_modules up to date"
  exit 0
fi
command -v npm >/dev/null || { echo "sdk-tests: npm is required (Node 20 + npm) to install the openai SDK" >&2; exit 1; }

echo "sdk-tests: npm ci (openai SDK, pinned by tests/sdk/package-lock.json)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  grep -m1 -E '^npm (error|ERR!) (code|[A-Za-z])' "$log" >&2 || tail -n 3 "$log" >&2
  echo "sdk-tests: 'npm ci' failed (offline?). The SDK tests need the npm registry once, or a warm" >&2
  echo "  npm cache: npm ci --prefix tests/sdk --offline. Everything else builds and tests without it." >&2
  exit 1
fi
echo "$want" >"$stamp"
