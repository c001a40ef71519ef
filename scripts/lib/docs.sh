# shellcheck shell=bash
# Sourced by ./portal: mkdocs with the TechDocs core plugin, in a virtualenv
# under .tools/mkdocs, on PATH so the backend's local TechDocs generator finds
# it. PyPI, or a mirror through PIP_INDEX_URL.

ensure_mkdocs() {
  local venv="$tools/mkdocs" requirements="$repo/tools/docs/requirements.txt" stamp
  stamp="$(sha256sum "$requirements" | cut -c1-16)"
  if [[ ! -x "$venv/bin/mkdocs" || "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    log "installing mkdocs and the TechDocs core plugin into .tools/mkdocs (about 20 seconds) ..."
    command -v python3 >/dev/null || apt_install python3 python3-venv
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; } ||
      die "cannot create a Python virtualenv for mkdocs (install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" ||
      die "pip install of the TechDocs generator failed (PyPI reachable? set PIP_INDEX_URL for a mirror)"
    echo "$stamp" >"$venv/.stamp"
  fi
  export PATH="$venv/bin:$PATH"
}
