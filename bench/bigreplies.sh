#!/usr/bin/env bash
# Issue 17, item 4: CONCURRENT (default 5) requests whose vendor answers
# with a SIZE-byte reply (default 100 MB, streamed without Content-Length,
# the simulators' hugeBodyBytes fault), against a gateway with default
# settings (read cache on, GOMEMLIMIT unset). Prints the codes the clients
# got and the gateway's peak and current RSS from /proc.
# Loopback only, bounded, stops by itself.
#
#   bash bench/bigreplies.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CONCURRENT=${CONCURRENT:-5}
SIZE=${SIZE:-100000000}
SIM=127.0.0.1:${SIM_PORT:-19291}
GW_PORT=${GW_PORT:-18291}
. bench/stack.sh
start_stack SWITCHYARD_CACHE=1
rss() { grep -E '^(VmHWM|VmRSS)' "/proc/$gw/status" | tr -s ' \t' ' ' | tr '\n' ' '; }
echo "before: $(rss)"
curl -sf -X PUT "http://$SIM/_sim/faults" -d "{\"vendor\":\"cordial\",\"hugeBodyBytes\":$SIZE}" >/dev/null
pids=()
for i in $(seq "$CONCURRENT"); do
  curl -s "http://127.0.0.1:$GW_PORT/query" -H 'Content-Type: application/json' \
    -d "{\"query\":\"{ accountLists(name: \\\"l$i\\\") { id } }\"}" >"$work/reply.$i" &
  pids+=($!)
done
wait "${pids[@]}"
sleep 1
curl -sf -X DELETE "http://$SIM/_sim/faults" >/dev/null
for i in $(seq "$CONCURRENT"); do grep -o '"code":"[A-Z_]*"' "$work/reply.$i" | head -1; done | sort | uniq -c
echo "after:  $(rss)"
sleep 5
echo "5 s idle: $(rss)"
