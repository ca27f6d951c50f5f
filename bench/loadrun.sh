#!/usr/bin/env bash
# P4 and P5 of BENCHMARKS.md: pass-through throughput of Switchyard beside
# the same query sent straight to the AppDirect simulator, and the
# gateway's peak RSS under 200 concurrent clients on the fan-out query.
# Everything runs on loopback, bounded in time, and stops by itself.
#
#   bash bench/loadrun.sh            # DURATION=10s by default
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
SIM=127.0.0.1:${SIM_PORT:-19190}
GW_PORT=${GW_PORT:-18190}
. bench/stack.sh
start_stack

echo "## P4: accounts(first: 20) { nodes { id name status } }, 50 concurrent clients, $DURATION"
q='{ accounts(first: 20) { nodes { id name status } } }'
echo -n "gateway: "
"$work/loadgen" -url "http://127.0.0.1:$GW_PORT/query" -workers 50 -duration "$DURATION" -query "$q"
token=$(curl -s -u "$APPDIRECT_CLIENT_ID:$APPDIRECT_CLIENT_SECRET" -d grant_type=client_credentials \
  "http://$SIM/appdirect/oauth2/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
echo -n "direct:  "
"$work/loadgen" -url "http://$SIM/appdirect/api/graphql" -workers 50 -duration "$DURATION" -query "$q" \
  -H "Authorization: Bearer $token"

echo "## P5: fan-out query, every vendor delayed 50 ms, 200 concurrent clients, $DURATION"
curl -sf -X DELETE "http://$SIM/_sim/requests" >/dev/null
for v in ortto apptivo appdirect cordial; do
  curl -sf -X PUT "http://$SIM/_sim/faults" -d "{\"vendor\":\"$v\",\"latencyMs\":50}" >/dev/null
done
p1='{ accounts(first: 3) { nodes { id name } } customers(first: 3) { nodes { id name } } accountLists { id name } people(refs: [{email: "ada.lovelace@example.com"}, {email: "grace.hopper@example.com"}]) { id } }'
grep -E 'VmRSS|VmHWM' "/proc/$gw/status" | sed 's/^/before: /'
"$work/loadgen" -url "http://127.0.0.1:$GW_PORT/query" -workers 200 -duration "$DURATION" -query "$p1"
grep -E 'VmRSS|VmHWM' "/proc/$gw/status" | sed 's/^/after:  /'
echo "vendor calls during P5: $(curl -s "http://$SIM/_sim/requests" | grep -o '"vendor"' | wc -l)"
