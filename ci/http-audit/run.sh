#!/usr/bin/env bash
# Builds the gateway, starts it as a sandbox (no credentials: simulated
# vendors) on PORT (default 18555), runs the GraphQL-over-HTTP audit
# against it and stops it. Fails on any audit error or warning.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
port=${PORT:-18555}
work=$(mktemp -d)

(cd "$here" && npm ci --no-audit --no-fund)
(cd "$root" && go build -o "$work/switchyard" .)

PORT=$port "$work/switchyard" >"$work/gateway.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

if ! GRAPHQL_URL="http://127.0.0.1:$port/query" node "$here/audit.mjs"; then
  echo "--- gateway log"; cat "$work/gateway.log"
  exit 1
fi
