# shellcheck shell=bash
# Sourced by ./portal test: Debian's chromium for the Playwright tests (never a
# browser download).

ensure_chromium() {
  export PORTAL_CHROMIUM="${PORTAL_CHROMIUM:-/usr/bin/chromium}"
  if [[ ! -x "$PORTAL_CHROMIUM" ]]; then
    log "installing Debian's chromium for the browser tests (apt-get install chromium) ..."
    command -v apt-get >/dev/null || die "chromium is missing and apt-get is not available; set PORTAL_CHROMIUM to a Chromium binary"
    apt_install chromium
  fi
}
