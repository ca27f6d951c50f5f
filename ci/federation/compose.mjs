// Composes Switchyard and the loyalty subgraph into a supergraph with
// @apollo/composition, reading each subgraph's SDL the way a router's
// tooling does: POST { _service { sdl } }. Any composition error fails;
// hints are printed.
//
//   node compose.mjs --switchyard http://127.0.0.1:8080/query \
//     --loyalty http://127.0.0.1:4101/graphql --out supergraph.graphql
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

/** fetchSDL asks a subgraph for its federation SDL. */
export async function fetchSDL(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = await res.json().catch(() => ({}));
  const sdl = body?.data?._service?.sdl;
  if (!res.ok || typeof sdl !== 'string' || body.errors) {
    throw new Error(`${url}: no subgraph SDL (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  return sdl;
}

/** compose returns the supergraph SDL of the named subgraphs, or throws with every composition error. */
export async function compose(subgraphs) {
  const services = [];
  for (const { name, url } of subgraphs) {
    services.push({ name, url, typeDefs: parse(await fetchSDL(url)) });
  }
  const result = composeServices(services);
  for (const hint of result.hints ?? []) console.error(`hint: ${hint.toString()}`);
  if (result.errors?.length) {
    throw new Error(`composition failed with ${result.errors.length} error(s):\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      switchyard: { type: 'string' },
      loyalty: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.switchyard || !values.loyalty || !values.out) {
    console.error('usage: node compose.mjs --switchyard <url> --loyalty <url> --out <file>');
    process.exit(2);
  }
  try {
    const sdl = await compose([
      { name: 'switchyard', url: values.switchyard },
      { name: 'loyalty', url: values.loyalty },
    ]);
    await writeFile(values.out, sdl);
    console.log(`composed switchyard + loyalty with 0 errors: ${values.out}`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
