#!/usr/bin/env bash
# The production sign-in test: the production bundle (as the image runs it,
# unpacked by scripts/bundle-smoke-test.sh) with app-config.production.yaml,
# signing in through a real OpenID Connect provider (scripts/oidc/server.mjs,
# the oidc-provider package) in Debian's chromium: the real redirect flow, a
# catalog user gets in, an unknown one is refused, no guest or development
# sign-in is offered.
#
#   bash scripts/oidc-test.sh [playwright report file]
#
# Uses the PostgreSQL of ./portal test (POSTGRES_*), or starts its own.
# Work files in .portal/oidc-test (git-ignored).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/browser.sh
source scripts/lib/browser.sh

report="${1:-}"
work="$repo/.portal/oidc-test"
bundle="$repo/.portal/bundle-smoke/app"
port="${OIDC_TEST_PORT:-7507}"
oidc_port="${OIDC_TEST_ISSUER_PORT:-7510}"
started=$SECONDS
step() { log "oidc-test: $* ($((SECONDS - started))s)"; }

cleanup() {
  trap - EXIT
  [[ -n "${backend_pid:-}" ]] && { kill -- -"$backend_pid" 2>/dev/null || true; }
  [[ -n "${oidc_pid:-}" ]] && { kill "$oidc_pid" 2>/dev/null || true; }
  [[ -n "${own_postgres:-}" ]] && { stop_postgres || true; }
  true
}
trap cleanup EXIT

setup_toolchain >/dev/null
ensure_chromium
if [[ ! -f "$bundle/packages/backend/package.json" ]]; then
  step "no unpacked bundle yet: running the bundle smoke test first"
  bash scripts/bundle-smoke-test.sh
fi
if [[ -z "${POSTGRES_HOST:-}" ]]; then
  own_postgres=1
  start_postgres
fi
rm -rf "$work" && mkdir -p "$work"

client_secret="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
token="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
step "starting the OpenID Connect provider on 127.0.0.1:$oidc_port"
node scripts/oidc/server.mjs "$oidc_port" "http://localhost:$port/api/auth/oidc/handler/frame" \
  deployments-portal "$client_secret" >"$work/oidc.log" 2>&1 &
oidc_pid=$!
for _ in $(seq 1 30); do grep -q 'oidc: ready' "$work/oidc.log" && break; sleep 0.5; done
grep -q 'oidc: ready' "$work/oidc.log" || { cat "$work/oidc.log"; die "the OIDC provider did not start"; }

# The production config plus where this instance listens and the example
# people (examples/org.yaml) in its catalog, so ada exists by email.
cat >"$work/app-config.test.yaml" <<YAML
app:
  baseUrl: http://localhost:$port
backend:
  baseUrl: http://localhost:$port
  listen: ':$port'
  cors:
    origin: http://localhost:$port
  database:
    prefix: oidc_test_$(date +%s)_
  auth:
    externalAccess:
      - type: static
        options: { token: $token, subject: oidc-test }
catalog:
  locations:
    - type: file
      target: $repo/examples/org.yaml
      rules:
        - allow: [User, Group]
deployments:
  environments:
    development: { cluster: local-nonprod }
    production:
      cluster: local-prod
      policies: { image-source: { allowedRegistries: [ghcr.io/acme] } }
YAML
chmod -R a+rX "$work"
home="$(mktemp -d /tmp/oidc-test-home.XXXXXX)"
chmod 0777 "$home"
as_nobody=()
[[ "$(id -u)" == 0 ]] && as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

step "starting the production backend (bundle, app-config.production.yaml) on :$port"
set -m
(
  cd "$bundle"
  exec env HOME="$home" TMPDIR="$home" NODE_ENV=production NODE_OPTIONS=--no-node-snapshot PROMETHEUS_PORT=0 \
    OIDC_METADATA_URL="http://127.0.0.1:$oidc_port/.well-known/openid-configuration" \
    OIDC_CLIENT_ID=deployments-portal OIDC_CLIENT_SECRET="$client_secret" \
    AUTH_SESSION_SECRET="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
    "${as_nobody[@]}" node packages/backend \
    --config app-config.yaml --config app-config.production.yaml --config "$work/app-config.test.yaml"
) >"$work/backend.log" 2>&1 &
backend_pid=$!
set +m
for _ in $(seq 1 180); do
  kill -0 "$backend_pid" 2>/dev/null || { tail -n 30 "$work/backend.log"; die "the backend exited; see $work/backend.log"; }
  curl -fs -o /dev/null -H "Authorization: Bearer $token" \
    "http://localhost:$port/api/catalog/entities/by-name/user/default/ada" && break
  sleep 1
done
curl -fs -o /dev/null -H "Authorization: Bearer $token" \
  "http://localhost:$port/api/catalog/entities/by-name/user/default/ada" ||
  { tail -n 30 "$work/backend.log"; die "the catalog has no user ada after 180 s; see $work/backend.log"; }
step "ready, the catalog knows ada"

step "signing in with chromium"
PORTAL_URL="http://localhost:$port" PLAYWRIGHT_JSON_OUTPUT_NAME="${report:-$work/playwright.json}" \
  yarn playwright test --config scripts/oidc/playwright.config.ts --reporter=list,json
