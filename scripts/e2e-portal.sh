#!/usr/bin/env bash
# Started by Playwright (playwright.config.ts, webServer): the portal as
# `./portal start` runs it, but on the test ports and with its own two kube-sim
# clusters on free ports, their state in $E2E_KUBE_SIM_STATE (default
# .portal/e2e-kube-sim), so a portal you run on :3000/:7007 with its clusters
# is not disturbed. Playwright ends it with SIGTERM; the clusters stop with it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh
# shellcheck source=scripts/lib/clusters.sh
source scripts/lib/clusters.sh
# shellcheck source=scripts/lib/examples.sh
source scripts/lib/examples.sh

kube_sim_state="${E2E_KUBE_SIM_STATE:-$repo/.portal/e2e-kube-sim}"

cleanup() {
  trap - EXIT TERM INT
  [[ -n "${portal_pid:-}" ]] && kill "$portal_pid" 2>/dev/null && wait "$portal_pid" 2>/dev/null
  stop_example_services
  stop_clusters >/dev/null 2>&1 || true
}

trap cleanup EXIT
trap 'exit 143' TERM INT
setup_toolchain
# Clusters left over by a run that was killed hard.
stop_clusters >/dev/null 2>&1 || true
start_clusters --free-ports
# The example services the catalog's health-url annotations point at (the
# same ports as ./portal start: stop a running portal first).
start_example_services
trap cleanup EXIT # start_example_services set its own

yarn start &
portal_pid=$!
wait "$portal_pid"
