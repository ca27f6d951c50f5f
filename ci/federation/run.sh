#!/usr/bin/env bash
# CI's federation check: installs the pinned npm packages (package-lock.json)
# and runs e2e.mjs, which builds and starts a Switchyard sandbox (unless
# --switchyard <url> names a running one), starts the loyalty subgraph,
# composes both with @apollo/composition (any error fails), serves the
# supergraph with Hive Gateway, runs a query across both subgraphs and stops
# everything it started. Needs Go and Node 20 or later.
#
#   bash ci/federation/run.sh [--switchyard http://127.0.0.1:8080/query]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund)
exec node "$here/e2e.mjs" "$@"
