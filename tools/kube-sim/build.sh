#!/usr/bin/env bash
# Builds the local Kubernetes control plane from Go modules into .tools/kube-sim/bin (git-ignored):
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and the kube-sim launcher,
# helm (for the chart tests) and promtool (for the alert rules).
#
# A binary is rebuilt only when its module's go.mod/go.sum (or this script) changed, so a second
# run is a no-op. The Go build cache lives outside the repository (go env GOCACHE) and keeps a
# rebuild after a version bump short.
#
# Usage: tools/kube-sim/build.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${KUBE_SIM_BIN:-$repo/.tools/kube-sim/bin}"
force="${1:-}"

export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0

if ! command -v go >/dev/null 2>&1; then
  echo "kube-sim: Go is required to build the local control plane (https://go.dev/dl, or Debian's golang package)." >&2
  exit 1
fi

mkdir -p "$out"

# module_version <go.mod> <module path>: the version a wrapper module requires.
module_version() {
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1"
}

stamp_of() {
  local files
  files=("$here/$1"/go.mod "$here/$1"/go.sum "$here/$1"/*.go "$here/$1"/*.yaml "$here/build.sh")
  local f
  for f in "${files[@]}"; do [[ -f "$f" ]] && cat "$f"; done | sha256sum | cut -c1-16
}

# build <module dir> <binary name> <package> [ldflags]
build() {
  local dir="$1" name="$2" pkg="$3" ldflags="${4:-}"
  local stamp_file="$out/.$name.stamp" stamp
  stamp="$(stamp_of "$dir")"
  if [[ "$force" != "--force" && -x "$out/$name" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    echo "kube-sim: $name is up to date"
    return
  fi
  echo "kube-sim: building $name ($pkg) ..."
  local started=$SECONDS
  (cd "$here/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out/$name.tmp" "$pkg")
  mv "$out/$name.tmp" "$out/$name"
  echo "$stamp" >"$stamp_file"
  echo "kube-sim: built $name in $((SECONDS - started))s"
}

k8s_version="$(module_version "$here/kubernetes/go.mod" k8s.io/kubernetes)"
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
etcd_version="$(module_version "$here/etcd/go.mod" go.etcd.io/etcd/server/v3)"
kwok_version="$(module_version "$here/kwok/go.mod" sigs.k8s.io/kwok)"
helm_version="$(module_version "$here/helm/go.mod" helm.sh/helm/v3)"
promtool_version="$(module_version "$here/promtool/go.mod" github.com/prometheus/prometheus)"
build_date="$(curl -fsS "https://proxy.golang.org/k8s.io/kubernetes/@v/$k8s_version.info" 2>/dev/null |
  sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' || true)"
build_date="${build_date:-1970-01-01T00:00:00Z}"

k8s_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

total_started=$SECONDS
echo "kube-sim: control plane Kubernetes $k8s_version, etcd $etcd_version, kwok $kwok_version, helm $helm_version, promtool (prometheus $promtool_version) -> $out"
echo "kube-sim: a cold build takes 15-30 minutes on 2 cores; later builds reuse the Go cache ($(go env GOCACHE))"

build launcher kube-sim ./
build etcd etcd . "-X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd_version"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v}"
build helm helm helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$helm_version"
build promtool promtool github.com/prometheus/prometheus/cmd/promtool "-X github.com/prometheus/common/version.Version=$promtool_version"
for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
  build kubernetes "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$k8s_ldflags"
done

echo "kube-sim: binaries ready in $((SECONDS - total_started))s"
