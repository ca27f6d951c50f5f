#!/usr/bin/env bash
# Issue 9 at full size: hostile documents, refused documents and a
# connection flood against a production-mode gateway (an API-keys file,
# real vendor clients in front of cmd/vendorsim), sent with a read-only
# key. Prints, per request, the gateway's CPU and allocation and its RSS.
# Loopback only, stops by itself.
#
#   bash bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=127.0.0.1:${SIM_PORT:-19390}
GW_PORT=${GW_PORT:-18390}
. bench/stack.sh
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s read\n' "$(printf %s "$key" | sha256sum | cut -d' ' -f1)" >"$work/keys"
go build -o "$work/hostile" ./cmd/hostile
ulimit -n 4096 2>/dev/null || true
start_stack SWITCHYARD_ENV=production SWITCHYARD_API_KEYS_FILE="$work/keys" SWITCHYARD_IDLE_TIMEOUT=5s
"$work/hostile" -url "http://127.0.0.1:$GW_PORT" -token "$key" -pid "$gw" "$@"
