# shellcheck shell=bash
# Sourced by ./portal test: runs every suite and sums the results into the one
# line CI reads: "N passed, N failed".

# shellcheck source=scripts/lib/postgres.sh
source "$repo/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/browser.sh
source "$repo/scripts/lib/browser.sh"

artifacts="$repo/artifacts"
total_passed=0
total_failed=0
summary=()

record() {
  local suite="$1" passed="$2" failed="$3"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary+=("$(printf '%-28s %4d passed, %4d failed' "$suite" "$passed" "$failed")")
}

# gate <name> <command...>: a quality gate counts as one test.
gate() {
  local name="$1" started=$SECONDS
  shift
  log "▶ $name ..."
  if "$@" >"$artifacts/logs/$name.log" 2>&1; then
    record "$name" 1 0
    log "✔ $name ($((SECONDS - started))s)"
  else
    record "$name" 0 1
    tail -n 60 "$artifacts/logs/$name.log"
    log "✘ $name failed ($((SECONDS - started))s); full log: artifacts/logs/$name.log"
  fi
}

# json_counts <file> <node expression over `r`>: prints "passed failed", or
# "0 1" when the runner produced no report (it crashed before reporting).
json_counts() {
  node -e "
    const fs = require('fs');
    try { const r = JSON.parse(fs.readFileSync(process.argv[1], 'utf8')); console.log($2); }
    catch { console.log('0 1'); }" "$1"
}

suite_jest() {
  log "▶ unit and integration tests (Jest; the Kubernetes ones run against a kube-sim cluster) ..."
  local started=$SECONDS report="$artifacts/jest.json"
  rm -f "$report"
  CI=true yarn backstage-cli repo test --json --outputFile="$report" 2>&1 | tee "$artifacts/logs/jest.log" |
    grep -E '^(PASS|FAIL)|✕|●.*›|Tests:|kube-sim' || true
  read -r passed failed < <(json_counts "$report" \
    "(r.numPassedTests) + ' ' + (r.numFailedTests + r.numRuntimeErrorTestSuites + (r.numTotalTests === 0 ? 1 : 0))")
  record "jest" "$passed" "$failed"
  log "jest: $passed passed, $failed failed ($((SECONDS - started))s)"
}

suite_system() {
  log "▶ system tests (backend on a real PostgreSQL) ..."
  local started=$SECONDS out="$artifacts/logs/system.log"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$artifacts/system.tap" \
    'packages/backend/system-tests/*.test.mjs' 2>&1 | tee "$out" || true
  local passed failed
  passed="$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$artifacts/system.tap" 2>/dev/null | tail -1)"
  failed="$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$artifacts/system.tap" 2>/dev/null | tail -1)"
  [[ -n "$passed" ]] || { passed=0; failed=1; }
  record "system" "$passed" "${failed:-0}"
  log "system: $passed passed, ${failed:-0} failed ($((SECONDS - started))s)"
}

suite_browser() {
  log "▶ browser tests (Playwright + Debian chromium; starts the portal on :3100/:7107) ..."
  local started=$SECONDS report="$artifacts/playwright.json"
  rm -f "$report"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$report" yarn playwright test --reporter=list,json 2>&1 |
    tee "$artifacts/logs/playwright.log" || true
  # The e2e portal stops its clusters itself; this catches a hard kill.
  (kube_sim_state="$repo/.portal/e2e-kube-sim" && stop_clusters >/dev/null 2>&1) || true
  read -r passed failed < <(json_counts "$report" \
    "r.stats.expected + r.stats.flaky + ' ' + (r.stats.unexpected + (r.errors || []).length + (r.stats.expected + r.stats.unexpected + r.stats.flaky === 0 ? 1 : 0))")
  record "browser" "$passed" "$failed"
  log "browser: $passed passed, $failed failed ($((SECONDS - started))s)"
}

run_all_tests() {
  local started=$SECONDS
  mkdir -p "$artifacts/logs"
  setup_toolchain
  ensure_dependencies
  build_kube_sim
  ensure_mkdocs
  ensure_chromium
  trap stop_postgres EXIT
  start_postgres

  gate prettier yarn prettier --check .
  gate lint yarn backstage-cli repo lint
  gate typescript yarn tsc
  gate docs-strict mkdocs build --strict --config-file "$repo/docs/mkdocs.yml" --site-dir "$artifacts/docs-site"
  suite_jest
  suite_system
  suite_browser

  stop_postgres
  echo
  log "results (total $((SECONDS - started))s):"
  printf '  %s\n' "${summary[@]}"
  echo "$total_passed passed, $total_failed failed"
  [[ "$total_failed" == 0 ]]
}
