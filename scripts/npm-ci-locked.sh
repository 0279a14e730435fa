#!/usr/bin/env bash
# npm-ci-locked.sh DIR MODULE LABEL: installs DIR's npm dependencies exactly as DIR/package-lock.json
# pins them (versions and sha512 integrity) into DIR/node_modules. Idempotent: `npm ci` runs only
# when node_modules/MODULE is missing or the lock file changed since the last install (a sha256
# stamp inside node_modules records it). Used by tests/sdk and tests/ui.
set -euo pipefail
dir="$1" module="$2" label="$3"
stamp="$dir/node_modules/.kt-lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"

if [ -d "$dir/node_modules/$module" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$label: node_modules up to date"
  exit 0
fi
command -v npm >/dev/null || { echo "$label: npm is required (Node 20 + npm) to install $module" >&2; exit 1; }

echo "$label: npm ci ($module, pinned by $(basename "$dir")/package-lock.json)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  grep -m1 -E '^npm (error|ERR!) (code|[A-Za-z])' "$log" >&2 || tail -n 3 "$log" >&2
  echo "$label: 'npm ci' failed (offline?). It needs the npm registry once, or a warm npm cache:" >&2
  echo "  npm ci --prefix $dir --offline. Everything else builds and tests without it." >&2
  exit 1
fi
echo "$want" >"$stamp"
