#!/usr/bin/env bash
# The example Prometheus alert rules (docs/docs/prometheus/deployments-alerts.yaml):
# `promtool check rules` (syntax, PromQL, templates) and `promtool test rules`
# (scripts/alerts/deployments-alerts.test.yaml: which alerts fire when, with
# which labels and annotations). promtool is built from Go modules with
# kube-sim (tools/kube-sim/build.sh). Gate "alerts" of ./portal test.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
promtool="$repo/.tools/kube-sim/bin/promtool"
if [[ ! -x "$promtool" ]]; then
  echo "alerts: $promtool is missing; build it with: bash tools/kube-sim/build.sh" >&2
  exit 1
fi
cd "$repo/scripts/alerts"
"$promtool" check rules "$repo/docs/docs/prometheus/deployments-alerts.yaml"
"$promtool" test rules deployments-alerts.test.yaml
