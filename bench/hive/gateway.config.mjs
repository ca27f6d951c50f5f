// Hive Gateway in proxy mode for bench/passthrough.sh: every request goes
// to the AppDirect simulator's GraphQL endpoint with the bearer token the
// script fetched once from the simulator's token endpoint (a static
// header, as Switchyard's client would send after its own token fetch).
// The schema is introspected from the same endpoint.
export const gatewayConfig = {
  proxy: {
    endpoint: process.env.HIVE_PROXY_ENDPOINT,
    headers: { Authorization: `Bearer ${process.env.HIVE_PROXY_TOKEN}` },
    // On by default, as Switchyard's sharing of identical reads in flight
    // is; DEDUP=0 in bench/passthrough.sh turns off both.
    deduplicateInflightRequests: process.env.HIVE_DEDUP !== '0',
  },
};
