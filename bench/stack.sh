# Sourced by the bench scripts: builds the gateway, cmd/vendorsim and
# cmd/loadgen into $work, starts the simulators on $SIM and the gateway on
# $GW_PORT against them (extra gateway environment as arguments, NAME=value),
# and leaves the gateway's pid in $gw. Everything is on loopback and is
# stopped when the calling script exits.
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start_stack() {
  go build ${PPROF:+-tags pprof} -o "$work/switchyard" .
  go build -o "$work/vendorsim" ./cmd/vendorsim
  go build -o "$work/loadgen" ./cmd/loadgen

  "$work/vendorsim" -addr "$SIM" >"$work/vendorsim.log" 2>&1 &
  for _ in $(seq 50); do curl -sf "http://$SIM/_sim/requests" >/dev/null && break; sleep 0.1; done
  eval "$(grep '^  export' "$work/vendorsim.log")"
  # Measure the gateway, not Ortto's documented 10 requests a second,
  # and pass-through requests, not the read cache (a caller may turn it
  # back on with SWITCHYARD_CACHE=1 among its arguments).
  export ORTTO_RATE_LIMIT=0 SWITCHYARD_CACHE=0 PORT=$GW_PORT "$@"
  "$work/switchyard" >"$work/gateway.log" 2>&1 &
  gw=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$GW_PORT/healthz" >/dev/null && break; sleep 0.1; done
}
