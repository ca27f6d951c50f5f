// CI's federation check, end to end:
//
//   1. a Switchyard sandbox (started here with `go build` unless
//      --switchyard names a running one),
//   2. the loyalty subgraph (loyalty.mjs),
//   3. composition of both SDLs, read from { _service { sdl } }, with
//      @apollo/composition: any error fails,
//   4. Hive Gateway serving the supergraph,
//   5. a query that crosses both subgraphs through it (query.mjs),
//
// then everything it started is stopped. Run `npm ci` in this directory
// first.
//
//   node ci/federation/e2e.mjs [--switchyard http://127.0.0.1:8080/query]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compose } from './compose.mjs';
import { serve } from './loyalty.mjs';
import { crossSubgraphs } from './query.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const children = [];
const cleanups = [];

function step(msg) {
  console.log(`federation: ${msg}`);
}

async function freePort() {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** start runs a long-lived child whose output is prefixed and kept for failures. */
function start(name, cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  child.output = '';
  const keep = (chunk) => {
    child.output += chunk;
    if (child.output.length > 200_000) child.output = child.output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    child.exited = true;
    if (!child.stopping) console.error(`federation: ${name} exited early (${signal ?? code}):\n${child.output}`);
  });
  child.label = name;
  children.push(child);
  return child;
}

/** waitFor polls url until it answers 2xx, for at most ms. */
async function waitFor(url, child, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child?.exited) throw new Error(`${child.label} exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${ms / 1000}s${child ? `:\n${child.output}` : ''}`);
}

async function run(cmd, args, opts) {
  const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}`);
}

async function stopAll() {
  for (const c of children.reverse()) {
    if (c.exited) continue;
    c.stopping = true;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await once(c, 'exit').catch(() => {});
    clearTimeout(timer);
  }
  for (const f of cleanups.reverse()) await f();
}

async function main() {
  const { values } = parseArgs({ options: { switchyard: { type: 'string' } } });
  const work = await mkdtemp(join(tmpdir(), 'switchyard-federation-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));

  let switchyardURL = values.switchyard;
  if (!switchyardURL) {
    step('building and starting a Switchyard sandbox');
    const bin = join(work, 'switchyard');
    await run('go', ['build', '-o', bin, '.'], { cwd: root });
    const port = await freePort();
    const sy = start('switchyard', bin, [], { env: { ...process.env, PORT: String(port), SWITCHYARD_SANDBOX: '1' } });
    await waitFor(`http://127.0.0.1:${port}/readyz`, sy);
    switchyardURL = `http://127.0.0.1:${port}/query`;
  }
  step(`switchyard subgraph at ${switchyardURL}`);

  const loyalty = await serve(await freePort());
  cleanups.push(() => new Promise((resolve) => loyalty.close(resolve)));
  const loyaltyURL = `http://127.0.0.1:${loyalty.address().port}/graphql`;
  step(`loyalty subgraph at ${loyaltyURL}`);

  const supergraph = join(work, 'supergraph.graphql');
  await writeFile(supergraph, await compose([
    { name: 'switchyard', url: switchyardURL },
    { name: 'loyalty', url: loyaltyURL },
  ]));
  step(`composed with 0 errors: ${supergraph}`);

  const gwPort = await freePort();
  const hive = start('hive-gateway', process.execPath, [
    join(here, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
    'supergraph', supergraph, '--host', '127.0.0.1', '--port', String(gwPort), '--no-masked-errors',
  ], { cwd: work });
  await waitFor(`http://127.0.0.1:${gwPort}/readiness`, hive);
  const gatewayURL = `http://127.0.0.1:${gwPort}/graphql`;
  step(`hive gateway at ${gatewayURL}`);

  const data = await crossSubgraphs(gatewayURL);
  step(`crossed both subgraphs: ${data.customers.nodes.map((c) => `${c.name} (${c.loyaltyTier})`).join(', ')}`);
}

let failed = false;
try {
  await main();
  step('ok');
} catch (err) {
  failed = true;
  console.error(`federation: FAILED: ${err.message}`);
  for (const c of children) if (c.output && !c.exited) console.error(`--- ${c.label} output ---\n${c.output.slice(-5000)}`);
} finally {
  await stopAll();
}
process.exit(failed ? 1 : 0);
