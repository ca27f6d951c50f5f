#!/usr/bin/env bash
# The load run of RELIABILITY.md: 200 concurrent clients on a query across
# all four vendors for DURATION (default 60s), while faults are switched on
# and off through /_sim/faults. Reports lost requests, well-formed GraphQL
# responses, and the gateway's goroutine count before and after.
# Loopback only, bounded in time, stops by itself.
#
#   bash bench/faultrun.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-60s}
SIM=127.0.0.1:${SIM_PORT:-19290}
GW_PORT=${GW_PORT:-18290}
. bench/stack.sh
start_stack SWITCHYARD_REQUEST_TIMEOUT=3s \
  ORTTO_TIMEOUT=1s APPTIVO_TIMEOUT=1s APPDIRECT_TIMEOUT=1s CORDIAL_TIMEOUT=1s

q='{ accounts(first: 3) { nodes { id name } } customers(first: 3) { nodes { id name } } accountLists { id name } people(refs: [{email: "ada.lovelace@example.com"}]) { id } }'
"$work/loadgen" -url "http://127.0.0.1:$GW_PORT/query" -workers 1 -duration 1s -query "$q" >/dev/null # warm up
echo "goroutines before: $(curl -s "http://127.0.0.1:$GW_PORT/healthz")"

"$work/loadgen" -url "http://127.0.0.1:$GW_PORT/query" -workers 200 -duration "$DURATION" -query "$q" >"$work/report.json" &
load=$!
modes=('"status":503,"retryAfterSeconds":1' '"latencyMs":1500' '"reset":true' '"malformed":true' '"status":429,"retryAfterSeconds":1' '"stallMs":2000' '"status":500')
vendors=(ortto apptivo appdirect cordial)
i=0
while kill -0 "$load" 2>/dev/null; do
  v=${vendors[$((i % 4))]}; m=${modes[$((i % 7))]}
  curl -sf -X PUT "http://$SIM/_sim/faults" -d "{\"vendor\":\"$v\",\"rate\":0.5,$m}" >/dev/null || true
  if (( i % 5 == 4 )); then curl -sf -X DELETE "http://$SIM/_sim/faults" >/dev/null || true; fi
  i=$((i + 1)); sleep 2
done
wait "$load"
curl -sf -X DELETE "http://$SIM/_sim/faults" >/dev/null
echo "fault switches: $i"
echo "report: $(cat "$work/report.json")"
sleep 5
echo "goroutines after (5 s idle): $(curl -s "http://127.0.0.1:$GW_PORT/healthz")"
grep -E 'VmHWM' "/proc/$gw/status" || true
echo "breakers: $(curl -s "http://127.0.0.1:$GW_PORT/readyz")"
