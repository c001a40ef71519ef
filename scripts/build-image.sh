#!/usr/bin/env bash
# yarn build-image: the portal's container image from packages/backend/Dockerfile.
#
#   1. host build: yarn install --immutable, yarn tsc, yarn build:backend
#      (the backend bundle with the built frontend);
#   2. the base image: $BASE_IMAGE when given (any Debian bookworm image with
#      Node 22, e.g. node:22-bookworm-slim from your registry); otherwise one
#      made here without a registry: debootstrap (Debian's own package source)
#      plus this repo's Node 22, imported as localhost/deployments-portal-base;
#   3. buildah bud (chroot isolation, works without a container runtime).
#
# Usage: yarn build-image [--tag <image>] [--check]   (default deployments-portal:<git sha>)
#
# --check then runs the image's own backend (buildah run, chroot isolation: no
# container runtime needed) as its non-root user against PostgreSQL (the one
# of ./portal test, or its own) and checks readiness, an API call, the
# frontend, the user id, and that SIGTERM turns readiness 503 before the
# server closes.
# Needs buildah, podman and debootstrap (apt-get install -y buildah podman debootstrap).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh

tag="deployments-portal:$(git rev-parse --short HEAD 2>/dev/null || echo dev)"
check=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --check) check=1; shift ;;
    *) die "usage: yarn build-image [--tag <image>] [--check]" ;;
  esac
done
started=$SECONDS
step() { log "build-image: $* ($((SECONDS - started))s)"; }

for tool in buildah podman debootstrap; do
  command -v "$tool" >/dev/null || apt_install "$tool"
done
setup_toolchain >/dev/null

step "host build: install, tsc, build:backend"
ensure_dependencies
yarn tsc >/dev/null
yarn build:backend >/dev/null

base="${BASE_IMAGE:-}"
if [[ -z "$base" ]]; then
  base="localhost/deployments-portal-base:bookworm-node$(node -p 'process.versions.node')"
  if ! podman image exists "$base"; then
    step "making the base image $base (debootstrap bookworm + Node $(node --version))"
    rootfs="$(mktemp -d /tmp/portal-base.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 ||
      die "debootstrap failed; see $rootfs.log"
    node_home="$(cd "$(dirname "$(readlink -f "$(command -v node)")")/.." && pwd)"
    mkdir -p "$rootfs/usr/local"
    cp -a "$node_home/bin" "$node_home/include" "$node_home/lib" "$rootfs/usr/local/" 2>/dev/null ||
      cp -a "$node_home/bin" "$rootfs/usr/local/"
    rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
    tar -C "$rootfs" -c . | podman import - "$base" >/dev/null
    rm -rf "$rootfs" "$rootfs.log"
    trap - EXIT
  fi
fi

# A CA the host trusts for the registry (a TLS-inspecting proxy, a company
# CA) is trusted by the install inside the build too, without entering the image.
ca_args=()
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]]; then
  ca_args=(--volume "$NODE_EXTRA_CA_CERTS:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
fi
step "buildah bud -f packages/backend/Dockerfile (base $base)"
buildah bud --isolation chroot --layers -f packages/backend/Dockerfile \
  --build-arg "BASE_IMAGE=$base" "${ca_args[@]}" -t "$tag" . >"$repo/.portal/build-image.log" 2>&1 ||
  { tail -n 40 "$repo/.portal/build-image.log"; die "buildah bud failed; see .portal/build-image.log"; }
step "built $tag ($(podman image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
# Earlier builds of the same tag leave untagged images behind.
podman image prune -f >/dev/null 2>&1 || true

[[ -n "$check" ]] || exit 0

# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
work="$repo/.portal/image-check"
port="${IMAGE_CHECK_PORT:-7407}"
rm -rf "$work" && mkdir -p "$work"
token="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$work/app-config.check.yaml" <<YAML
app:
  baseUrl: http://localhost:$port
backend:
  baseUrl: http://localhost:$port
  listen: ':$port'
  database:
    prefix: image_check_$(date +%s)_
  auth:
    externalAccess:
      - type: static
        options: { token: $token, subject: image-check }
deployments:
  environments:
    development: { cluster: local-nonprod }
    production:
      cluster: local-prod
      policies: { image-source: { allowedRegistries: [ghcr.io/acme] } }
YAML
chmod -R a+rX "$work"
own_postgres=""
if [[ -z "${POSTGRES_HOST:-}" ]]; then
  own_postgres=1
  start_postgres
fi
container="$(buildah from "$tag")"
# The production config signs in through OIDC: a real provider answers.
oidc_port="$(free_port)"
node scripts/oidc/server.mjs "$oidc_port" "http://localhost:$port/api/auth/oidc/handler/frame" \
  image-check not-a-secret >"$work/oidc.log" 2>&1 &
oidc_pid=$!
finish() {
  [[ -n "${node_pid:-}" ]] && { kill "$node_pid" 2>/dev/null || true; }
  [[ -n "${run_pid:-}" ]] && { kill "$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; }
  kill "$oidc_pid" 2>/dev/null || true
  buildah rm "$container" >/dev/null 2>&1 || true
  [[ -n "$own_postgres" ]] && { stop_postgres || true; }
  true
}
trap finish EXIT

step "check: starting the image's backend as its own user on :$port"
buildah run --isolation chroot --volume "$work:/config:ro" \
  --env "POSTGRES_HOST=$POSTGRES_HOST" --env "POSTGRES_PORT=$POSTGRES_PORT" \
  --env "POSTGRES_USER=$POSTGRES_USER" --env "POSTGRES_PASSWORD=$POSTGRES_PASSWORD" \
  --env PROMETHEUS_PORT=0 --env "OIDC_METADATA_URL=http://127.0.0.1:$oidc_port/.well-known/openid-configuration" \
  --env OIDC_CLIENT_ID=image-check --env OIDC_CLIENT_SECRET=not-a-secret \
  --env "AUTH_SESSION_SECRET=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" "$container" -- \
  node packages/backend --config app-config.yaml --config app-config.production.yaml \
  --config /config/app-config.check.yaml >"$work/backend.log" 2>&1 &
run_pid=$!
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://localhost:$port/.backstage/health/v1/readiness" && break
  sleep 1
done
curl -fs -o /dev/null "http://localhost:$port/.backstage/health/v1/readiness" ||
  { tail -n 30 "$work/backend.log"; die "the image's backend is not ready after 120 s; see $work/backend.log"; }
# The backend process of this run: the node child of buildah run.
node_pid="$(pgrep -P "$run_pid" -x node || pgrep -a -x node | grep -F "/config/app-config.check.yaml" | awk '{print $1}' | head -1)"
uid="$(ps -o uid= -p "$node_pid" | tr -d ' ')"
[[ "$uid" == 1000 ]] || die "the image's backend runs as uid $uid, not 1000"
curl -fsS -H "Authorization: Bearer $token" "http://localhost:$port/api/deployments/environments" | grep -q '"name":"production"' ||
  die "GET /api/deployments/environments did not list production; see $work/backend.log"
[[ "$(curl -fsS -o /dev/null -w '%{content_type}' "http://localhost:$port/")" == text/html* ]] ||
  die "the frontend is not served at /"
kill -TERM "$node_pid"
sleep 1
code="$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/.backstage/health/v1/readiness")"
[[ "$code" == 503 ]] || die "after SIGTERM readiness answered $code, not 503 while draining"
node_pid=""
step "check passed: ready, API and frontend served by uid 1000; SIGTERM turns readiness 503 while draining"
