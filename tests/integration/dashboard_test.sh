#!/usr/bin/env bash
# The web dashboard (docs/operations.md "Dashboard"): `kt api serve` serves ui/ at /ui/ (no token, strict
# headers, no traversal), then tests/ui/dashboard.mjs drives it in Debian's chromium (headless,
# playwright-core) against real requests through a gateway and the mock upstream: the figures equal
# GET /v1/wallets/balance to the nano-dollar, a new request shows within 2 s, a 402 shows as
# refused, a wrong token gets the sign-in again. Screenshots: <build>/test-artifacts/dashboard/.
# gpt-4o-mini costs 0.00015 / 0.0006 per 1k tokens: one request below settles 0.00054135 and holds
# 0.0006024, so marketing (budget 0.001) crosses 50 % with its first and is refused its second.
source "$(dirname "$0")/lib.sh"
UI_TESTS="$(cd "$(dirname "$0")/../ui" && pwd)"
ARTIFACTS="$(cd "$(dirname "$KT")" && pwd)/test-artifacts/dashboard"
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || { echo "FAIL: chromium is missing (scripts/setup.sh installs Debian's chromium)" >&2; exit 1; }
[ -d "$UI_TESTS/node_modules/playwright-core" ] || { echo "FAIL: tests/ui/node_modules is missing (bash tests/ui/install.sh)" >&2; exit 1; }
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"

start_mock_and_api
# A later version of gpt-4o-mini's price, scheduled: the price book shows both.
api POST /v1/model-pricing "{\"model\":\"gpt-4o-mini\",\"provider\":\"openai\",\"input_cost_per_1k_tokens\":0.00015,\
\"output_cost_per_1k_tokens\":0.0007,\"effective_from\":$(( $(date +%s) + 30 * 86400 ))}" >/dev/null
allocate team_engineering 1
allocate team_marketing 0.001
start_example_gateway --threads 1
VIEWER=$("$KT" tokens create --name dashboard-viewer --scope viewer 2>/dev/null)

# --- Static serving.
U="$KEEPTRUSTS_API_URL"
hdr() { grep -i "^$1:" "$2" | head -n1 | cut -d' ' -f2- | tr -d '\r'; }
code() { curl -sS --path-as-is -o "$WORK/body" -D "$WORK/head" -w '%{http_code}' "$@"; }
assert_eq "301 /ui/" "$(code "$U/ui") $(hdr location "$WORK/head")" "/ui redirects to /ui/"
assert_eq "200" "$(code "$U/ui/")" "/ui/ needs no token"
assert_eq "text/html; charset=utf-8" "$(hdr content-type "$WORK/head")" "the index is HTML"
assert_contains "$(cat "$WORK/body")" '<script type="module" src="js/app.js">' "the index loads the app as a module"
assert_eq "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" \
  "$(hdr content-security-policy "$WORK/head")" "a strict Content-Security-Policy (self only, no inline script)"
assert_eq "nosniff no-cache" "$(hdr x-content-type-options "$WORK/head") $(hdr cache-control "$WORK/head")" "nosniff, no-cache"
assert_eq "200 text/javascript; charset=utf-8" "$(code "$U/ui/vendor/uplot/uPlot.esm.js") $(hdr content-type "$WORK/head")" \
  "uPlot is served from the data folder"
assert_eq "$(sha256sum "$(dirname "$0")/../../third_party/uplot/uPlot.esm.js" | cut -d' ' -f1)" \
  "$(sha256sum "$WORK/body" | cut -d' ' -f1)" "the pinned uPlot, byte for byte"
assert_eq "200 text/css; charset=utf-8" "$(code "$U/ui/style.css") $(hdr content-type "$WORK/head")" "CSS"
get_len=$(code "$U/ui/js/app.js" >/dev/null; stat -c %s "$WORK/body")
# HEAD then GET on one connection: the GET's answer must follow the HEAD's head at once (no body between).
head_then_get=$(python3 - "$API_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /ui/js/app.js HTTP/1.1\r\nHost: x\r\n\r\nGET /ui/favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
head, rest = data.split(b"\r\n\r\n", 1)
length = [l.split(b": ")[1].decode() for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0]
print(head.split(b" ")[1].decode(), length, rest.startswith(b"HTTP/1.1 200"))
PY
)
assert_eq "200 $get_len True" "$head_then_get" "HEAD: the length, no body"
for bad in "/ui/../v1/wallets" "/ui/js/../index.html" "/ui/%2e%2e/kt.db" "/ui/%2E%2E/%2E%2E/etc/passwd" "/ui//etc/passwd" \
           "/ui/.hidden" "/ui/js/app.js%00.css" "/ui/a\\b"; do
  assert_eq "400 invalid_path" "$(code "$U$bad") $(jq -r .error.code "$WORK/body")" "traversal refused: $bad"
done
assert_eq "404 not_found_error" "$(code "$U/ui/nope.js") $(jq -r .error.type "$WORK/body")" "an unknown file: the 404 envelope"
assert_eq "405 GET, HEAD" "$(code -X POST "$U/ui/" -d x) $(hdr allow "$WORK/head")" "POST is not allowed"
assert_eq "401" "$(code "$U/v1/wallets")" "the data still needs a token"

# --- Real traffic: three answered for engineering, one for marketing (50 % alert).
for i in 1 2 3; do
  assert_eq "HTTP 200" "$(chat kt_cg_engineering_abc123 '{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}' | tail -n1)" "engineering request $i"
done
assert_eq "HTTP 200" "$(chat kt_cg_marketing_def456 '{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":"ok [mock:completion_tokens=900]"}]}' | tail -n1)" "marketing request"
# The ledger has applied them all (the page compares against settled figures, nothing in flight).
eventually '[ "$(balance team_engineering | grep -o "\"spent\":[0-9.]*")" = "\"spent\":0.00162405" ] && [ "$(balance team_engineering | jq -r .reserved)" = 0 ]' 10 \
  || fail "engineering settled: $(balance team_engineering)"
eventually '[ "$(balance team_marketing | grep -o "\"spent\":[0-9.]*")" = "\"spent\":0.00054135" ] && [ "$(balance team_marketing | jq -r .reserved)" = 0 ]' 10 \
  || fail "marketing settled: $(balance team_marketing)"

# --- The browser.
start=$(date +%s%N)
if API_URL="$U" GW_URL="$GW_URL" VIEWER="$VIEWER" ARTIFACTS="$ARTIFACTS" CHROMIUM="$CHROMIUM" \
    node "$UI_TESTS/dashboard.mjs" >"$WORK/browser.log" 2>&1; then
  pass "browser checks ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
else
  fail "browser checks"
fi
sed 's/^/  browser: /' "$WORK/browser.log"
for shot in login login-refused teams events events-refused alerts prices; do
  [ -s "$ARTIFACTS/$shot.png" ] && pass "screenshot $shot.png" || fail "screenshot $shot.png missing"
done
if grep -rqF "$VIEWER" "$WORK"/*.log; then fail "the viewer token appears in a log"; else pass "no token in the logs"; fi
finish
