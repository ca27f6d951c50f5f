#!/usr/bin/env bash
# Side-by-side pass-through benchmark (issue 12, item 1): the same query
# straight to the AppDirect simulator, through Switchyard with every
# feature on, and through Hive Gateway in proxy mode in front of the same
# simulator; then a Cordial REST read (direct GET vs Switchyard) and the
# four-vendor query (Switchyard alone). For each: req/s, p50, p99, and the
# CPU the serving process and the simulator spent per 1,000 requests
# (utime+stime from /proc/<pid>/stat, read just before and after the
# measured window by cmd/loadgen). Targets run one after another, each
# warmed up first, with the same number of connections. Loopback only,
# bounded in time; every process started here stops when the script exits.
#
#   bash bench/passthrough.sh                 # DURATION=15s WARMUP=3s WORKERS=50
#   DURATION=10s bash bench/passthrough.sh
#   HIVE=0 bash bench/passthrough.sh          # skip Hive Gateway
#   DEDUP=0 bash bench/passthrough.sh         # no shared in-flight reads in either gateway
#
# Switchyard runs as in production: SWITCHYARD_ENV=production, an API-keys
# file (the key is generated per run, scope read), JSON access logs, /metrics,
# tracing (each request carries its own sampled traceparent, continued to
# the vendor; no OTLP collector, so spans are recorded but not exported),
# default query limits, the full resilience chain. ORTTO_RATE_LIMIT=0 as in
# bench/loadrun.sh, so the four-vendor row measures the gateway, not
# Ortto's documented 10 requests a second. Identical reads in flight are
# shared by both gateways, as they are by default (Switchyard's
# SWITCHYARD_DEDUP, Hive's deduplicateInflightRequests), unless DEDUP=0
# turns it off in both, so that every client request reaches the vendor.
# The read cache is off
# (SWITCHYARD_CACHE=0) unless CACHE=1: a pass-through request is what the
# comparison is about; with the cache on, repeated reads never reach the
# vendor (BENCHMARKS.md C1 measures that case).
#
# Hive Gateway (version pinned in bench/hive/package-lock.json, installed
# with npm ci on first use) runs `hive-gateway proxy` with
# bench/hive/gateway.config.mjs: the AppDirect GraphQL endpoint and a static
# `Authorization: Bearer <token>`, the token fetched once at start-up from
# the simulator's OAuth2 token endpoint with the sandbox client id/secret.
# Without node and npm its row is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
WORKERS=${WORKERS:-50}
HIVE=${HIVE:-1}
HIVE_FORK=${HIVE_FORK:-1}
SIM=127.0.0.1:${SIM_PORT:-19290}
GW_PORT=${GW_PORT:-18290}
HIVE_PORT=${HIVE_PORT:-14290}

. bench/stack.sh # builds into $work and starts the simulators and Switchyard
hive=
# stack.sh's clean-up, plus waiting for Hive Gateway: it shuts down
# gracefully on SIGTERM and can outlive the script by a second or two.
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$hive" ]; then
    for _ in $(seq 50); do kill -0 "$hive" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$hive" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s read\n' "$(printf %s "$key" | sha256sum | cut -d' ' -f1)" >"$work/api-keys"
start_stack SWITCHYARD_ENV=production SWITCHYARD_API_KEYS_FILE="$work/api-keys" SWITCHYARD_CACHE="${CACHE:-0}" SWITCHYARD_DEDUP="${DEDUP:-1}"
if ! curl -sf "http://127.0.0.1:$GW_PORT/healthz" >/dev/null; then
  echo "switchyard did not start:" >&2; tail -20 "$work/gateway.log" >&2; exit 1
fi
go build -o "$work/loadgen" ./cmd/loadgen
sim=
for p in $(jobs -p); do
  [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$work/vendorsim" ] && sim=$p
done
[ -n "$sim" ] || { echo "cannot find the simulator's pid" >&2; exit 1; }

token=$(curl -sf -u "$APPDIRECT_CLIENT_ID:$APPDIRECT_CLIENT_SECRET" -d grant_type=client_credentials \
  "http://$SIM/appdirect/oauth2/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
cordial_auth=$(printf '%s:' "$CORDIAL_API_KEY" | base64 | tr -d '\n')

if [ "$HIVE" = 0 ]; then
  echo "Hive Gateway: skipped (HIVE=0)"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Hive Gateway: skipped, node and npm are needed (e.g. apt-get install -y nodejs npm)"
else
  if [ ! bench/hive/node_modules/.package-lock.json -nt bench/hive/package-lock.json ]; then
    echo "Hive Gateway: npm ci in bench/hive (first run only)"
    (cd bench/hive && npm ci --no-audit --no-fund --loglevel=error)
  fi
  NODE_ENV=production HIVE_PROXY_ENDPOINT="http://$SIM/appdirect/api/graphql" HIVE_PROXY_TOKEN="$token" HIVE_DEDUP="${DEDUP:-1}" \
    node bench/hive/node_modules/@graphql-hive/gateway/dist/bin.js proxy \
    -c bench/hive/gateway.config.mjs -h 127.0.0.1 -p "$HIVE_PORT" --fork "$HIVE_FORK" \
    >"$work/hive.log" 2>&1 &
  hive=$!
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$HIVE_PORT/graphql" -H 'Content-Type: application/json' \
      -d '{"query":"{ accounts(first: 1) { nodes { id } } }"}' 2>/dev/null | grep -q '"data"' && break
    kill -0 "$hive" 2>/dev/null || break
    sleep 0.2
  done
  if curl -sf "http://127.0.0.1:$HIVE_PORT/graphql" -H 'Content-Type: application/json' \
    -d '{"query":"{ accounts(first: 1) { nodes { id } } }"}' | grep -q '"data"'; then
    echo "Hive Gateway: $(grep -o 'Hive Gateway [0-9.]*' "$work/hive.log" | head -1), pid $hive"
  else
    echo "Hive Gateway: did not come up, skipped; its log:"; tail -20 "$work/hive.log"
    kill "$hive" 2>/dev/null || true; hive=
  fi
fi

# One request with a known trace id: Switchyard must continue it to the
# simulator, log it and count it, or the features are not on.
curl -sf -X DELETE "http://$SIM/_sim/requests" >/dev/null
tid=4bf92f3577b34da6a3ce929d0e0e4736
curl -sf "http://127.0.0.1:$GW_PORT/query" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
  -H "traceparent: 00-$tid-00f067aa0ba902b7-01" -d '{"query":"{ accounts(first: 1) { nodes { id } } }"}' >/dev/null
echo "checks: trace continued to the simulator: $(curl -s "http://$SIM/_sim/requests?vendor=appdirect" | grep -c "$tid" || true)," \
  "access log lines: $(grep -c '"path":"/query"' "$work/gateway.log" || true)," \
  "operations in /metrics: $(curl -s "http://127.0.0.1:$GW_PORT/metrics" | grep -c '^switchyard_graphql_operations_total' || true)," \
  "gateway GOGC: $(curl -s "http://127.0.0.1:$GW_PORT/metrics" | awk '/^go_gc_gogc_percent/ {print $2}')," \
  "no key -> HTTP $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/query" -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}')"

rows=$work/rows.md
load0=$(cut -d' ' -f1-3 /proc/loadavg)
# measure LABEL URL SERVING_PID [loadgen flags...]: one row. The
# simulator's request log is emptied first so its memory stays bounded.
measure() {
  local label=$1 url=$2 serving=$3
  shift 3
  curl -sf -X DELETE "http://$SIM/_sim/requests" >/dev/null
  "$work/loadgen" -label "$label" -row "$rows" -url "$url" -workers "$WORKERS" \
    -warmup "$WARMUP" -duration "$DURATION" -traceparent \
    -pid "serving=$serving" -pid "simulator=$sim" -sim-log "http://$SIM/_sim/requests" "$@"
}

q='{ accounts(first: 20) { nodes { id name status } } }'
echo "## AppDirect: $q"
measure "AppDirect: direct to the simulator" "http://$SIM/appdirect/api/graphql" "$sim" \
  -query "$q" -H "Authorization: Bearer $token"
measure "AppDirect: through Switchyard" "http://127.0.0.1:$GW_PORT/query" "$gw" \
  -query "$q" -H "Authorization: Bearer $key"
if [ -n "$hive" ]; then
  measure "AppDirect: through Hive Gateway" "http://127.0.0.1:$HIVE_PORT/graphql" "$hive" -query "$q"
else
  echo "| AppDirect: through Hive Gateway | skipped | | | | | | |" >>"$rows"
fi

q='{ accountLists { id name } }'
echo "## Cordial: $q (direct: GET /cordial/v2/accountlists)"
measure "Cordial: direct REST GET" "http://$SIM/cordial/v2/accountlists" "$sim" \
  -method GET -rest -H "Authorization: Basic $cordial_auth"
measure "Cordial: through Switchyard" "http://127.0.0.1:$GW_PORT/query" "$gw" \
  -query "$q" -H "Authorization: Bearer $key"

# internal/app/gateway.DefaultQuery (GraphiQL's opening query), comments dropped.
q='query Overview { accounts(first: 3) { totalCount nodes { id name status } } customers(first: 3) { nodes { name primaryEmail person { subscriptions { audienceName subscribed } } } } accountLists { id name contactCount } }'
echo "## Four vendors: DefaultQuery"
measure "Four vendors: through Switchyard" "http://127.0.0.1:$GW_PORT/query" "$gw" \
  -query "$q" -H "Authorization: Bearer $key"

echo
echo "$WORKERS connections, $WARMUP warm-up, $DURATION measured per row, $(nproc) cores, load average at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CPU: utime+stime of the process (and any children) per 1,000 requests, over the measured window"
echo "(direct rows: the simulator is the serving process; vendor calls / req: requests the simulator logged"
echo " in the window per client request, below 1 where identical in-flight reads are shared)"
echo
echo "| path | req/s | p50 | p99 | serving CPU ms / 1,000 req | simulator CPU ms / 1,000 req | vendor calls / req | requests (not well-formed) |"
echo "|---|---|---|---|---|---|---|---|"
cat "$rows"
