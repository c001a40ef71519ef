# shellcheck shell=bash
# Sourced by ./portal: the two local clusters (kube-sim) the portal deploys to.
#   nonprod (https://127.0.0.1:16443): development, test, acceptance
#   prod    (https://127.0.0.1:17443): production

kube_sim="$repo/.tools/kube-sim/bin/kube-sim"
kube_sim_state="${KUBE_SIM_STATE_DIR:-$repo/.kube-sim}"
declare -A cluster_port=([nonprod]=16443 [prod]=17443)
declare -A cluster_envs=([nonprod]="development test acceptance" [prod]="production")

build_kube_sim() {
  log "building the local Kubernetes control plane (first time: 15-30 minutes; then seconds) ..."
  bash "$repo/tools/kube-sim/build.sh" || die "building kube-sim failed (see above); Go is required: https://go.dev/dl"
}

# seed_cluster <name>: namespaces per example application and environment, and
# the portal's service account; writes a short-lived token of it (TokenRequest)
# next to the kubeconfig.
seed_cluster() {
  local name="$1" dir="$kube_sim_state/$1"
  command -v kubectl >/dev/null || die "kubectl is required to prepare the local clusters (Debian: apt-get install kubernetes-client)"
  # shellcheck disable=SC2086
  node "$repo/tools/kube-sim/seed/portal-access.js" "$repo/examples/entities.yaml" ${cluster_envs[$name]} |
    kubectl --kubeconfig "$dir/kubeconfig" apply -f - >"$dir/seed.log" ||
    die "preparing cluster $name failed; see $dir/seed.log"
  # A short-lived token from the TokenRequest API (no long-lived token
  # Secret); './portal start' asks for a new one every time.
  local token
  token="$(kubectl --kubeconfig "$dir/kubeconfig" -n backstage-system create token backstage-portal \
    --duration="${PORTAL_TOKEN_DURATION:-24h}" 2>>"$dir/seed.log")" ||
    die "cluster $name: the TokenRequest for the backstage-portal service account failed; see $dir/seed.log"
  (umask 077 && printf '%s' "$token" >"$dir/portal.token")
}

# start_clusters [--free-ports]: builds kube-sim when needed, starts and seeds
# both clusters, and exports what app-config.yaml reads (never printed). With
# --free-ports (the browser tests) the API servers take free ports instead of
# 16443/17443, so a portal you run is not disturbed.
start_clusters() {
  local free_ports="${1:-}"
  build_kube_sim
  local name port
  for name in nonprod prod; do
    port="${cluster_port[$name]}"
    [[ "$free_ports" == --free-ports ]] && port=0
    log "starting cluster $name (API server port ${port/#0/free}) ..."
    "$kube_sim" up --name "$name" --port "$port" --state-dir "$kube_sim_state" ||
      die "cluster $name did not start; logs in $kube_sim_state/$name/logs (port busy? './portal stop' or free port ${cluster_port[$name]})"
    seed_cluster "$name"
    local upper="${name^^}"
    export "KUBE_SIM_${upper}_URL=$(node -p "require('$kube_sim_state/$name/cluster.json').server")"
    export "KUBE_SIM_${upper}_TOKEN=$(cat "$kube_sim_state/$name/portal.token")"
    export "KUBE_SIM_${upper}_CA_DATA=$(base64 -w0 <"$kube_sim_state/$name/pki/ca.crt")"
  done
  log "clusters ready; admin kubeconfigs: $kube_sim_state/{nonprod,prod}/kubeconfig"
}

stop_clusters() {
  local name
  for name in nonprod prod; do
    if [[ -x "$kube_sim" ]]; then
      "$kube_sim" down --name "$name" --state-dir "$kube_sim_state"
    fi
  done
}
