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

# count <runner> <report> <exit-code> <suite>: "passed failed" of one suite,
# by scripts/lib/count-results.mjs (anything that did not pass is a failure:
# timeouts, cancellations, skipped/todo/flaky tests, a non-zero exit, an empty
# run, fewer tests than test-minimums.json expects). Its reasons go to the log.
count() {
  node "$repo/scripts/lib/count-results.mjs" "$@"
}

suite_counting() {
  log "▶ self-test of the test counting (fixture suites through node:test, Jest and Playwright) and the release gate ..."
  local started=$SECONDS report="$artifacts/counting.tap" status=0
  rm -f "$report"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$report" \
    'scripts/lib/*.test.mjs' >"$artifacts/logs/counting.log" 2>&1 || status=$?
  read -r passed failed < <(count node-test "$report" "$status" counting)
  [[ "$failed" == 0 ]] || tail -n 60 "$artifacts/logs/counting.log"
  record "counting" "$passed" "$failed"
  log "counting: $passed passed, $failed failed ($((SECONDS - started))s)"
}

suite_jest() {
  log "▶ unit and integration tests (Jest; the Kubernetes ones run against a kube-sim cluster) ..."
  local started=$SECONDS report="$artifacts/jest.json" status=0
  rm -f "$report"
  # pipefail: the status is Jest's (tee and the filter succeed).
  CI=true yarn backstage-cli repo test --json --outputFile="$report" 2>&1 | tee "$artifacts/logs/jest.log" |
    { grep -E '^(PASS|FAIL)|✕|○|●.*›|Tests:|kube-sim' || true; } || status=$?
  read -r passed failed < <(count jest "$report" "$status" jest)
  record "jest" "$passed" "$failed"
  log "jest: $passed passed, $failed failed ($((SECONDS - started))s)"
}

suite_system() {
  log "▶ system tests (backend on a real PostgreSQL) ..."
  local started=$SECONDS out="$artifacts/logs/system.log" report="$artifacts/system.tap" status=0
  rm -f "$report"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$report" \
    'packages/backend/system-tests/*.test.mjs' 2>&1 | tee "$out" || status=$?
  read -r passed failed < <(count node-test "$report" "$status" system)
  record "system" "$passed" "$failed"
  log "system: $passed passed, $failed failed ($((SECONDS - started))s)"
}

# The production sign-in in chromium (scripts/oidc-test.sh): the bundle from
# the bundle-smoke gate and a real OpenID Connect provider.
suite_oidc() {
  log "▶ production sign-in (OIDC provider, production bundle, chromium) ..."
  local started=$SECONDS report="$artifacts/oidc.json" status=0
  rm -f "$report"
  bash scripts/oidc-test.sh "$report" 2>&1 | tee "$artifacts/logs/oidc.log" || status=$?
  read -r passed failed < <(count playwright "$report" "$status" oidc)
  record "oidc" "$passed" "$failed"
  log "oidc: $passed passed, $failed failed ($((SECONDS - started))s)"
}

suite_browser() {
  log "▶ browser tests (Playwright + Debian chromium; starts the portal on :3100/:7107) ..."
  local started=$SECONDS report="$artifacts/playwright.json" status=0
  rm -f "$report"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$report" yarn playwright test --reporter=list,json 2>&1 |
    tee "$artifacts/logs/playwright.log" || status=$?
  # The e2e portal stops its clusters itself; this catches a hard kill.
  (kube_sim_state="$repo/.portal/e2e-kube-sim" && stop_clusters >/dev/null 2>&1) || true
  read -r passed failed < <(count playwright "$report" "$status" browser)
  record "browser" "$passed" "$failed"
  log "browser: $passed passed, $failed failed ($((SECONDS - started))s)"
}

# Redis and haproxy from Debian for the multi-replica system test
# (packages/backend/system-tests/replicas.test.mjs).
ensure_replica_infra() {
  command -v redis-server >/dev/null && command -v haproxy >/dev/null && return
  log "installing redis-server and haproxy from Debian (the multi-replica system test) ..."
  apt_install redis-server haproxy
}

run_all_tests() {
  local started=$SECONDS
  mkdir -p "$artifacts/logs"
  setup_toolchain
  ensure_dependencies
  build_kube_sim
  ensure_mkdocs
  ensure_chromium
  ensure_replica_infra
  trap stop_postgres EXIT
  start_postgres

  gate prettier yarn prettier --check .
  gate lint yarn backstage-cli repo lint
  gate typescript yarn tsc
  gate api-reports bash scripts/api-reports.sh --ci
  gate single-release sh -c 'node scripts/lib/backstage-release.mjs && yarn dedupe --check'
  gate docs-strict mkdocs build --strict --config-file "$repo/docs/mkdocs.yml" --site-dir "$artifacts/docs-site"
  suite_counting
  suite_jest
  suite_system
  gate bundle-smoke bash scripts/bundle-smoke-test.sh
  suite_oidc
  gate image bash scripts/build-image.sh --tag deployments-portal:ci --check
  gate chart bash scripts/chart-test.sh
  gate alerts bash scripts/alerts-test.sh
  suite_browser
  gate adoption bash scripts/adoption-test.sh

  stop_postgres
  echo
  log "results (total $((SECONDS - started))s):"
  printf '  %s\n' "${summary[@]}"
  echo "$total_passed passed, $total_failed failed"
  [[ "$total_failed" == 0 ]]
}
