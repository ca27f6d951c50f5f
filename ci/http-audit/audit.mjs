// Runs the GraphQL-over-HTTP audit suite (graphql-http's serverAudits)
// against a running Switchyard gateway, prints every result, and exits 1
// if any audit ends in `error` or `warn` (notices are printed, not fatal).
//
//   GRAPHQL_URL=http://127.0.0.1:8080/query node audit.mjs
//
// It first waits up to WAIT_SECONDS (default 60) for the gateway to
// answer, so that it can be started right after the gateway is.
//
// Switchyard refuses, as Apollo Router does, GETs and "simple" POSTs that
// carry no preflight-forcing header (CSRF prevention). Every request of the
// audit therefore carries `Apollo-Require-Preflight: true`, which is what a
// compliant non-browser client of ours sends; CSRF prevention stays on.
import { serverAudits } from 'graphql-http';

const url = process.env.GRAPHQL_URL || 'http://127.0.0.1:8080/query';

/** fetch, plus the header that proves the request is no cross-site forgery. */
function fetchWithPreflight(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('Apollo-Require-Preflight', 'true');
  return fetch(input, { ...init, headers });
}

const waitSeconds = Number(process.env.WAIT_SECONDS || 60);

/** Waits until something answers at url, whatever the status. */
async function waitForServer() {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    try {
      await fetchWithPreflight(url, { method: 'OPTIONS', signal: AbortSignal.timeout(2000) });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        console.error(`no server answers at ${url} after ${waitSeconds} s: ${err?.cause?.message || err?.message || err}`);
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

await waitForServer();
const audits = serverAudits({ url, fetchFn: fetchWithPreflight });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
let failed = false;

for (const { id, name, fn } of audits) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    // serverAudits throw only on fatal errors (the server is unreachable).
    result = { id, name, status: 'error', reason: `fatal: ${err?.cause?.message || err?.message || err}` };
  }
  counts[result.status] = (counts[result.status] || 0) + 1;
  let line = `${result.status.toUpperCase().padEnd(6)} ${result.id} ${result.name}`;
  if (result.status !== 'ok') {
    line += `\n       reason: ${result.reason}`;
    if (result.response) {
      let body = '';
      try {
        body = await result.response.clone().text();
      } catch {
        // the audit consumed the body already
      }
      line += `\n       got: ${result.response.status} ${result.response.headers.get('content-type') || '(no content-type)'}`;
      if (body) line += ` ${body.length > 300 ? body.slice(0, 300) + '…' : body}`;
    }
  }
  console.log(line);
  if (result.status === 'error' || result.status === 'warn') failed = true;
}

console.log(
  `\ngraphql-http audit of ${url}: ${audits.length} audits, ${counts.ok} ok, ` +
    `${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(failed ? 1 : 0);
