#!/usr/bin/env bash
# Sets up, builds and starts keeptrusts on its embedded default: `kt api serve` on SQLite
# (127.0.0.1:8080) and `kt gateway run` on port 41002 with the tutorial's config. Without
# OPENAI_API_KEY the openai target goes to the bundled mock upstream, so the tutorial answers
# offline. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p .kt
export KEEPTRUSTS_API_TOKEN=${KEEPTRUSTS_API_TOKEN:-your-admin-token}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
if [ -z "${OPENAI_API_KEY:-}" ]; then
  export OPENAI_API_KEY=sk-mock-offline OPENAI_BASE_URL=http://127.0.0.1:18080/v1
  ./build/kt-mock-upstream --listen 127.0.0.1:18080 & pids+=($!)
  echo "OPENAI_API_KEY is not set: the openai target uses the bundled mock upstream at $OPENAI_BASE_URL"
fi
./build/kt api serve --listen 127.0.0.1:8080 --database sqlite:.kt/demo.db & pids+=($!)
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:8080/health && break; sleep 0.1; done
cat <<MSG
API ready at http://localhost:8080. In another shell:
  export KEEPTRUSTS_API_URL=http://localhost:8080 KEEPTRUSTS_API_TOKEN=$KEEPTRUSTS_API_TOKEN PATH=$PWD/build:\$PATH
then follow the tutorial from Step 1 (examples/policy-config.yaml is its Step 3 config).
The gateway starts now; it re-reads prices every 5 s, so seed them whenever you like.
MSG
./build/kt policy lint --file examples/policy-config.yaml
./build/kt gateway run --policy-config examples/policy-config.yaml --port 41002 & pids+=($!)
wait
