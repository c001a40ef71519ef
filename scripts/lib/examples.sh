# shellcheck shell=bash
# Sourced by ./portal: the example services of the example catalog
# (examples/health-service/server.mjs). Their deployments/health-url
# annotations point at 127.0.0.1:18081-18083, so the Service Health tab
# probes real services: green, and red where readiness is switched off.
# orders-api starts not ready in acceptance to show a failing readiness.
#
# One node process, log in .portal/logs/health-service.log. It ends with the
# portal: `--exit-with-parent` ties it to this shell's process, which
# `exec yarn start` turns into the portal itself; the EXIT trap covers a
# failure before that.

health_service_pid=""

start_example_services() {
  local log_dir="$repo/.portal/logs" log i
  log="$log_dir/health-service.log"
  mkdir -p "$log_dir"
  node "$repo/examples/health-service/server.mjs" --exit-with-parent \
    --not-ready orders-api/acceptance >"$log" 2>&1 &
  health_service_pid=$!
  trap stop_example_services EXIT
  for i in $(seq 1 50); do
    if [[ "$(grep -c ' on http://' "$log" 2>/dev/null)" -ge 3 ]]; then
      log "example services answer the health contract on 127.0.0.1 (${HEALTH_SERVICE_PORTS:-payments-api=18081,orders-api=18082,storefront=18083}), one instance per environment under /<environment>/; log: .portal/logs/health-service.log"
      return 0
    fi
    if ! kill -0 "$health_service_pid" 2>/dev/null; then
      health_service_pid=""
      # The portal still starts; the Service Health tab then shows the example services unreachable.
      log "the example health service did not start: $(tail -n 1 "$log") (log: .portal/logs/health-service.log)"
      return 0
    fi
    sleep 0.1
  done
  log "the example health service is slow to start; see .portal/logs/health-service.log"
}

stop_example_services() {
  if [[ -n "$health_service_pid" ]]; then
    kill "$health_service_pid" 2>/dev/null || true
    health_service_pid=""
  fi
}
