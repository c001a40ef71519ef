#!/usr/bin/env bash
# The API reports of the published packages (plugins/*/report*.api.md), made
# by API Extractor through backstage-repo-tools from the type declarations
# `yarn tsc` writes to dist-types/.
#
#   bash scripts/api-reports.sh        # update the reports
#   bash scripts/api-reports.sh --ci   # fail when a package's API differs from its report
#
# The declarations come from a full (not incremental) `tsc`: an incremental
# build may print inferred types (route params, unions) in another member
# order than a fresh one, and the reports must not depend on what was built
# before.
#
# ae-wrong-input-file-type: workspace packages point their types at src/, so
# API Extractor sees a .ts file where a published package has a .d.ts.
# The documentation warnings (ae-undocumented, ae-missing-release-tag, ...)
# are listed in the reports and allowed for now.
set -euo pipefail
cd "$(dirname "$0")/.."
yarn tsc --incremental false
mapfile -t packages < <(ls -d plugins/*/)
exec yarn backstage-repo-tools api-reports \
  --allow-all-warnings -o ae-wrong-input-file-type "$@" "${packages[@]}"
