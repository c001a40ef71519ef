#!/usr/bin/env bash
# The Helm chart test: charts/deployments-portal
#
#   1. helm lint --strict, with the chart's CI values;
#   2. helm template applied to a kube-sim cluster with a server-side dry run
#      (the API server validates every object);
#   3. helm install --wait for real into that cluster (kwok runs the pods),
#      then checks with the API: two replicas ready, probes on Backstage's
#      health endpoints, non-root and read-only root filesystem, the PDB,
#      the NetworkPolicy, and the service account's rights (what it may and
#      may not do, asked with kubectl auth can-i).
#
# Helm is built from Go modules with the control plane (tools/kube-sim).
# Work files in .portal/chart-test (git-ignored). Prints its wall time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh
# shellcheck source=scripts/lib/clusters.sh
source scripts/lib/clusters.sh

work="$repo/.portal/chart-test"
state="$work/kube-sim"
chart="$repo/charts/deployments-portal"
values="$chart/ci/test-values.yaml"
helm="$repo/.tools/kube-sim/bin/helm"
started=$SECONDS
step() { log "chart-test: $* ($((SECONDS - started))s)"; }

cleanup() {
  trap - EXIT
  "$kube_sim" down --name chart --state-dir "$state" >/dev/null 2>&1 || true
}
trap cleanup EXIT

setup_toolchain >/dev/null
build_kube_sim >/dev/null
rm -rf "$work" && mkdir -p "$work"
export HELM_CACHE_HOME="$work/helm/cache" HELM_CONFIG_HOME="$work/helm/config" HELM_DATA_HOME="$work/helm/data"

step "helm lint --strict"
"$helm" lint --strict "$chart" -f "$values" >"$work/lint.log" 2>&1 || { cat "$work/lint.log"; die "helm lint failed"; }

step "starting a kube-sim cluster"
"$kube_sim" up --name chart --port 0 --state-dir "$state" >"$work/cluster.log" 2>&1 ||
  die "the cluster did not start; see $work/cluster.log"
export KUBECONFIG="$state/chart/kubeconfig"
kubectl create namespace portal >/dev/null
kubectl create namespace payments-api-development >/dev/null
kubectl -n portal create secret generic portal-postgres --from-literal=password=not-a-real-one >/dev/null
kubectl -n portal create secret generic portal-oidc --from-literal=client-secret=not-a-real-one \
  --from-literal=session-secret=not-a-real-one-either >/dev/null
kubectl -n portal create secret generic portal-redis --from-literal=url=redis://redis.portal.svc:6379 >/dev/null

step "helm template | kubectl apply --server-side --dry-run=server"
"$helm" template portal "$chart" -n portal -f "$values" >"$work/manifests.yaml"
kubectl apply --server-side --dry-run=server -f "$work/manifests.yaml" >"$work/dry-run.log" 2>&1 ||
  { cat "$work/dry-run.log"; die "the API server refused the rendered chart"; }

step "helm install --wait"
"$helm" install portal "$chart" -n portal -f "$values" --wait --timeout 3m >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; kubectl -n portal get pods -o wide || true; die "helm install failed"; }

step "checking the installed objects through the API"
kubectl -n portal get deployment,pdb,networkpolicy,service,ingress,configmap,serviceaccount -o json >"$work/objects.json"
kubectl get clusterrole portal-deployments-portal-read portal-deployments-portal-deploy -o json >"$work/roles.json"
sa="system:serviceaccount:portal:portal-deployments-portal"
can() { kubectl auth can-i --as "$sa" "$@" 2>/dev/null || true; }
cat >"$work/can-i.json" <<JSON
{
  "patchDeploymentsInAppNamespace": "$(can patch deployments.apps -n payments-api-development)",
  "readSecretMetadataInAppNamespace": "$(can get secrets -n payments-api-development)",
  "listPodsClusterWide": "$(can list pods --all-namespaces)",
  "patchDeploymentsElsewhere": "$(can patch deployments.apps -n portal)",
  "readSecretsElsewhere": "$(can get secrets -n portal)",
  "listSecretsInAppNamespace": "$(can list secrets -n payments-api-development)",
  "updateDeploymentsInAppNamespace": "$(can update deployments.apps -n payments-api-development)",
  "createNamespaces": "$(can create namespaces)"
}
JSON
node scripts/chart/check.mjs "$work" || die "the installed chart is not as expected; objects in $work"
step "passed"
