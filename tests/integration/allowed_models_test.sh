#!/usr/bin/env bash
# Consumer-group isolation: allowed_models globs refuse another model with 403 model_not_allowed
# (never forwarded, nothing reserved, a decision event); the `default` group (no api_key) catches
# unmatched keys only when it is configured.
source "$(dirname "$0")/lib.sh"
start_mock_and_api
api POST /v1/model-pricing '{"model":"claude-3-5-haiku","provider":"openai","input_cost_per_1k_tokens":0.0008,"output_cost_per_1k_tokens":0.004}' >/dev/null
allocate team_research 5
allocate team_guests 5
head_cfg() {
  cat <<YAML
version: '1'
providers:
  targets:
    - id: openai
      provider: openai
      secret_key_ref: {env: OPENAI_API_KEY}
cost_tracking: {enabled: true, wallet_enforcement: true}
api: {url: $KEEPTRUSTS_API_URL, token_env: KEEPTRUSTS_API_TOKEN}
consumer_groups:
  - name: research
    api_key: kt_cg_research_ghi789
    wallet_team_id: team_research
    allowed_models: ["gpt-4o-mini", "claude-*"]
YAML
}
head_cfg >"$WORK/closed.yaml"
lint=$("$KT" policy lint --file "$WORK/closed.yaml") || fail "lint: $lint"
start_gateway "$WORK/closed.yaml"

msg='"messages":[{"role":"user","content":"hello"}]'
assert_eq "HTTP 200" "$(chat kt_cg_research_ghi789 "{\"model\":\"gpt-4o-mini\",$msg}" | tail -n1)" "an allowed model passes"
assert_eq "HTTP 200" "$(chat kt_cg_research_ghi789 "{\"model\":\"claude-3-5-haiku\",$msg}" | tail -n1)" "a glob allows claude-*"
hits=$(mock_hits)
out=$(chat kt_cg_research_ghi789 "{\"model\":\"gpt-4o\",$msg}")
assert_eq "HTTP 403" "$(tail -n1 <<<"$out")" "another model is refused with 403"
assert_eq "permission_error model_not_allowed" "$(head -n -1 <<<"$out" | jq -r '"\(.error.type) \(.error.code)"')" "error envelope says model_not_allowed"
assert_eq "$hits" "$(mock_hits)" "the refused request was never forwarded"
assert_eq "0" "$(balance team_research | jq -r .reserved)" "nothing is reserved for it"
eventually '"$KT" events tail --last 5 --format json | jq -e "[.[] | select(.reason_code == \"model_not_allowed\" and .verdict == \"block\")] | length == 1"' 10 \
  && pass "a decision event says model_not_allowed" || fail "no model_not_allowed event: $("$KT" events tail --last 5 --format json)"
assert_eq "HTTP 401" "$(chat kt_cg_nobody_000000000 "{\"model\":\"gpt-4o-mini\",$msg}" | tail -n1)" "no default group: an unknown key gets 401"

# A default group (name: default, no api_key) catches unmatched keys, with its own rules.
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
{ head_cfg; cat <<'YAML'
  - name: default
    wallet_team_id: team_guests
    allowed_models: ["gpt-4o-mini"]
YAML
} >"$WORK/open.yaml"
lint=$("$KT" policy lint --file "$WORK/open.yaml") || fail "lint of a default group: $lint"
start_gateway "$WORK/open.yaml"
assert_eq "HTTP 200" "$(chat kt_cg_nobody_000000000 "{\"model\":\"gpt-4o-mini\",$msg}" | tail -n1)" "an unmatched key lands in the default group"
eventually '[ "$(balance team_guests | jq -r .spent)" != 0 ]' 10 && pass "the default group's wallet pays" || fail "team_guests not charged"
assert_eq "HTTP 403" "$(chat kt_cg_nobody_000000000 "{\"model\":\"claude-3-5-haiku\",$msg}" | tail -n1)" "the default group's allowed_models hold"
assert_eq "HTTP 403" "$(chat kt_cg_research_ghi789 "{\"model\":\"gpt-4o\",$msg}" | tail -n1)" "a known key keeps its own group"

# Lint: a group other than default needs its api_key; allowed_models must list something.
{ head_cfg | sed 's/allowed_models: .*/allowed_models: []/'; cat <<'YAML'
  - name: guests
    wallet_team_id: team_guests
YAML
} >"$WORK/bad.yaml"
out=$("$KT" policy lint --file "$WORK/bad.yaml" 2>&1) && fail "lint accepted a bad config"
assert_contains "$out" "list at least one model" "lint: empty allowed_models"
assert_contains "$out" "api_key" "lint: a non-default group without api_key"
finish
