#!/usr/bin/env bash
# The adoption test: the suite installed into a brand-new Backstage app the way
# a platform team would, following only the packages' READMEs.
#
#   1. @backstage/create-app makes an app (its newest release here is 1.55),
#      moved to this repo's release (scripts/lib/align-backstage.mjs);
#   2. the seven packages are built and packed (`yarn pack`) and added to the
#      app (`yarn workspace backend|app add`, tarballs through resolutions as
#      long as they are not published), the backend index wired as the READMEs
#      say (scripts/adoption/configure.mjs);
#   3. its backend starts against a kube-sim cluster, and
#      scripts/adoption/check.mjs checks that the suite's routes answer and a
#      deploy to development succeeds.
#
# Work files in .portal/adoption (git-ignored). Prints its wall time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh
# shellcheck source=scripts/lib/clusters.sh
source scripts/lib/clusters.sh
# shellcheck source=scripts/lib/browser.sh
source scripts/lib/browser.sh

work="${ADOPTION_DIR:-$repo/.portal/adoption}"
app="$work/app"
tarballs="$work/tarballs"
port="${ADOPTION_PORT:-7207}"
kube_sim_state="$work/kube-sim"
started=$SECONDS

step() { log "adoption: $* ($((SECONDS - started))s)"; }

cleanup() {
  trap - EXIT
  [[ -n "${backend_pid:-}" ]] && kill -- -"$backend_pid" 2>/dev/null
  [[ -n "${frontend_pid:-}" ]] && kill -- -"$frontend_pid" 2>/dev/null
  stop_clusters >/dev/null 2>&1 || true
}
trap cleanup EXIT

setup_toolchain
ensure_dependencies
build_kube_sim >/dev/null
ensure_chromium

step "creating an app with @backstage/create-app@0.9.2"
rm -rf "$app" "$tarballs"
mkdir -p "$work" "$tarballs"
echo adoption-app | npx -y @backstage/create-app@0.9.2 --skip-install --path "$app" >"$work/create-app.log" 2>&1 ||
  die "create-app failed; see $work/create-app.log"
node scripts/lib/align-backstage.mjs "$app"

step "building and packing the suite's packages"
yarn tsc >"$work/tsc.log" 2>&1 || die "yarn tsc failed; see $work/tsc.log"
for dir in plugins/*/; do
  name="$(basename "$dir")"
  (cd "$dir" && yarn build && yarn pack -o "$tarballs/%s-%v.tgz") >"$work/pack-$name.log" 2>&1 ||
    die "packing $name failed; see $work/pack-$name.log"
done

step "starting a kube-sim cluster"
stop_clusters >/dev/null 2>&1 || true
start_clusters --free-ports >"$work/clusters.log" 2>&1 || die "the clusters did not start; see $work/clusters.log"
step "installing the app and the suite as the READMEs say"
node scripts/adoption/configure.mjs "$app" "$tarballs" "$port"
(
  cd "$app"
  yarn install
  yarn workspace backend add \
    @deployments-portal/backstage-plugin-deployments-backend@^0.1.0 \
    @deployments-portal/backstage-plugin-catalog-backend-module-deployments@^0.1.0 \
    @deployments-portal/backstage-plugin-scaffolder-backend-module-deployments@^0.1.0 \
    @deployments-portal/backstage-plugin-permission-backend-module-deployments-policy@^0.1.0
  yarn workspace app add @deployments-portal/backstage-plugin-deployments@^0.1.0
) >"$work/install.log" 2>&1 || die "installing into the app failed; see $work/install.log"
node scripts/lib/backstage-release.mjs "$app/yarn.lock" ||
  die "the adopted app resolves more than one Backstage release"
(cd "$app" && yarn tsc) >"$work/app-tsc.log" 2>&1 || die "the adopted app does not type-check; see $work/app-tsc.log"

step "starting the app's backend on :$port"
set -m
(cd "$app" && exec yarn workspace backend start) >"$work/backend.log" 2>&1 &
backend_pid=$!
set +m
node scripts/adoption/check.mjs "http://localhost:$port" ||
  { tail -n 40 "$work/backend.log"; die "the adoption checks failed; backend log: $work/backend.log"; }

step "starting the app's frontend on :$((port - 4000)) (first build: 1-2 minutes)"
set -m
(cd "$app" && BROWSER=none exec yarn workspace app start) >"$work/frontend.log" 2>&1 &
frontend_pid=$!
set +m
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://localhost:$((port - 4000))" && break
  sleep 1
done
step "the tabs in chromium"
ADOPTION_APP_URL="http://localhost:$((port - 4000))" \
  yarn playwright test --config scripts/adoption/playwright.config.ts ||
  die "the tabs did not render in the adopted app; screenshots in artifacts/adoption-results"

step "passed"
