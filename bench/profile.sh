#!/usr/bin/env bash
# Live CPU profile of the gateway under bench/passthrough.sh's AppDirect
# load (how BENCHMARKS.md's profiles of issue 12 are taken): builds the
# gateway with -tags pprof (net/http/pprof on 127.0.0.1:6060, never in a
# normal build), drives `{ accounts(first: 20) { nodes { id name status } } }`
# with every feature on, and writes the profile and its top functions.
#
#   bash bench/profile.sh               # PROFILE_SECONDS=10, writes /tmp/switchyard-cpu.pprof
#   QUERY='{ accountLists { id name } }' bash bench/profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${PROFILE_SECONDS:-10}
WORKERS=${WORKERS:-50}
OUT=${OUT:-/tmp/switchyard-cpu.pprof}
QUERY=${QUERY:-'{ accounts(first: 20) { nodes { id name status } } }'}
SIM=127.0.0.1:${SIM_PORT:-19291}
GW_PORT=${GW_PORT:-18291}
PPROF=1
. bench/stack.sh
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s read\n' "$(printf %s "$key" | sha256sum | cut -d' ' -f1)" >"$work/api-keys"
start_stack SWITCHYARD_ENV=production SWITCHYARD_API_KEYS_FILE="$work/api-keys" SWITCHYARD_CACHE="${CACHE:-0}" ${GW_ENV:-}
curl -sf "http://127.0.0.1:$GW_PORT/healthz" >/dev/null || { tail -20 "$work/gateway.log" >&2; exit 1; }
"$work/loadgen" -label profile -url "http://127.0.0.1:$GW_PORT/query" -workers "$WORKERS" \
  -warmup 2s -duration "$((SECONDS_ + 3))s" -traceparent -pid "serving=$gw" \
  -query "$QUERY" -H "Authorization: Bearer $key" >"$work/load.json" &
load=$!
sleep 3
curl -sf "http://127.0.0.1:6060/debug/pprof/allocs" -o "$OUT.allocs0"
curl -sf "http://127.0.0.1:6060/debug/pprof/profile?seconds=$SECONDS_" -o "$OUT"
curl -sf "http://127.0.0.1:6060/debug/pprof/allocs" -o "$OUT.allocs"
wait "$load"
echo "gateway peak RSS: $(grep VmHWM /proc/$gw/status | tr -s " \t" " " | cut -d" " -f2-)"
cat "$work/load.json"
go tool pprof -top -nodecount 40 "$work/switchyard" "$OUT" 2>/dev/null | head -50
