#!/usr/bin/env bash
# The bundle smoke test: the backend as packages/backend/Dockerfile packs it,
# run as production.
#
#   1. `yarn build:backend` makes packages/backend/dist/{skeleton,bundle}.tar.gz;
#   2. an empty directory gets what the Dockerfile copies: Yarn's release and
#      settings, the lockfile, the skeleton, then `yarn workspaces focus --all
#      --production`, then the bundle, the config files and the templates;
#   3. the directory is made read-only (owned by root) and the backend starts
#      there as an unprivileged user (nobody) with app-config.yaml +
#      app-config.production.yaml against PostgreSQL;
#   4. checks: readiness (/.backstage/health/v1/readiness) answers 200, and
#      GET /api/deployments/environments answers 200 with the environments
#      for a caller with a static token.
#
# Uses the PostgreSQL of ./portal test (POSTGRES_*), or starts its own.
# Work files in .portal/bundle-smoke (git-ignored). Prints its wall time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh

work="${BUNDLE_SMOKE_DIR:-$repo/.portal/bundle-smoke}"
port="${BUNDLE_SMOKE_PORT:-7307}"
started=$SECONDS
step() { log "bundle-smoke: $* ($((SECONDS - started))s)"; }

cleanup() {
  trap - EXIT
  [[ -n "${backend_pid:-}" ]] && { kill -- -"$backend_pid" 2>/dev/null || true; }
  [[ -n "${oidc_pid:-}" ]] && { kill "$oidc_pid" 2>/dev/null || true; }
  [[ -n "${own_postgres:-}" ]] && { stop_postgres || true; }
  true
}
trap cleanup EXIT

setup_toolchain >/dev/null
ensure_dependencies
if [[ -z "${POSTGRES_HOST:-}" ]]; then
  own_postgres=1
  start_postgres
fi

step "building the backend bundle (yarn build:backend)"
yarn build:backend >"$work.build.log" 2>&1 || die "yarn build:backend failed; see $work.build.log"

step "unpacking skeleton and bundle into an empty directory, as the Dockerfile does"
rm -rf "$work"
mkdir -p "$work/app/.yarn"
app="$work/app"
cp -r .yarn/releases "$app/.yarn/"
cp .yarnrc.yml backstage.json yarn.lock package.json "$app/"
tar xzf packages/backend/dist/skeleton.tar.gz -C "$app"
# The production dependencies from the lockfile (the Yarn cache makes it quick).
(cd "$app" && NODE_ENV=production yarn workspaces focus --all --production) >"$work/install.log" 2>&1 ||
  die "yarn workspaces focus --production failed; see $work/install.log"
tar xzf packages/backend/dist/bundle.tar.gz -C "$app"
cp app-config.yaml app-config.production.yaml "$app/"
cp -r templates "$app/"

# What a deployment adds on top: where it listens, its database prefix, and a
# static token for the check (the Helm chart does this through its values).
token="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$work/app-config.smoke.yaml" <<YAML
app:
  baseUrl: http://localhost:$port
backend:
  baseUrl: http://localhost:$port
  listen: ':$port'
  database:
    prefix: bundle_smoke_$(date +%s)_
  auth:
    externalAccess:
      - type: static
        options: { token: $token, subject: bundle-smoke }
deployments:
  environments:
    development: { cluster: local-nonprod }
    production:
      cluster: local-prod
      policies: { image-source: { allowedRegistries: [ghcr.io/acme] } }
YAML
chmod 0644 "$work/app-config.smoke.yaml"
# Read-only for the user the backend runs as (as in the image).
chown -R root:root "$app" 2>/dev/null || true
chmod -R a+rX,go-w "$work"
home="$(mktemp -d /tmp/bundle-smoke-home.XXXXXX)"
chmod 0777 "$home"

# The production sign-in (OIDC) is part of the production config: a real
# provider answers its discovery (scripts/oidc-test.sh signs in through it).
oidc_port="$(free_port)"
node scripts/oidc/server.mjs "$oidc_port" "http://localhost:$port/api/auth/oidc/handler/frame" \
  bundle-smoke not-a-secret >"$work/oidc.log" 2>&1 &
oidc_pid=$!
for _ in $(seq 1 30); do grep -q 'oidc: ready' "$work/oidc.log" && break; sleep 0.5; done

step "starting the backend as nobody with app-config.yaml + app-config.production.yaml on :$port"
as_nobody=()
[[ "$(id -u)" == 0 ]] && as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
set -m
(
  cd "$app"
  exec env HOME="$home" TMPDIR="$home" NODE_ENV=production NODE_OPTIONS=--no-node-snapshot PROMETHEUS_PORT=0 \
    OIDC_METADATA_URL="http://127.0.0.1:$oidc_port/.well-known/openid-configuration" \
    OIDC_CLIENT_ID=bundle-smoke OIDC_CLIENT_SECRET=not-a-secret \
    AUTH_SESSION_SECRET="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
    "${as_nobody[@]}" node packages/backend \
    --config app-config.yaml --config app-config.production.yaml --config "$work/app-config.smoke.yaml"
) >"$work/backend.log" 2>&1 &
backend_pid=$!
set +m

ready=""
for _ in $(seq 1 180); do
  if ! kill -0 "$backend_pid" 2>/dev/null; then
    tail -n 40 "$work/backend.log"
    die "the backend exited; see $work/backend.log"
  fi
  if grep -q '"type":"unhandledRejection"\|"type":"uncaughtException"' "$work/backend.log"; then
    tail -n 20 "$work/backend.log"
    die "the backend failed to start; see $work/backend.log"
  fi
  if curl -fs -o /dev/null "http://localhost:$port/.backstage/health/v1/readiness"; then
    ready=1
    break
  fi
  sleep 1
done
[[ -n "$ready" ]] || { tail -n 40 "$work/backend.log"; die "not ready after 180 s; see $work/backend.log"; }
step "ready: /.backstage/health/v1/readiness answers 200"

# Not root: the process runs as the unprivileged user.
uid="$(ps -o uid= -p "$(pgrep -P "$backend_pid" -f 'node packages/backend' | head -1 || echo "$backend_pid")" | tr -d ' ')"
[[ "$(id -u)" != 0 || "$uid" == 65534 ]] || die "the backend runs as uid $uid, not nobody"

answer="$(curl -fsS -H "Authorization: Bearer $token" "http://localhost:$port/api/deployments/environments")" ||
  die "GET /api/deployments/environments failed; see $work/backend.log"
node -e '
  const items = JSON.parse(process.argv[1]).items ?? [];
  const names = items.map(e => e.name).join(", ");
  if (!names.includes("production")) { console.error(`unexpected answer: ${process.argv[1]}`); process.exit(1); }
  console.log(`GET /api/deployments/environments: ${names}`);
' "$answer"
grep -q '"level":"info"' "$work/backend.log" || die "the production backend does not log JSON; see $work/backend.log"
step "passed (the backend logs JSON, runs as uid ${uid:-?}, serves the API from a read-only directory)"
