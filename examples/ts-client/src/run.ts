// Runs the typed operations of src/operations.ts against a Switchyard
// sandbox with plain fetch, and exits non-zero on any GraphQL error, HTTP
// failure or missing data. GRAPHQL_URL is the endpoint (default
// http://127.0.0.1:8080/query).
//
//   npm run build && GRAPHQL_URL=http://127.0.0.1:8080/query npm start
import type { TypedDocumentString } from './gql/graphql.js';
import {
  accountListsQuery,
  accountsQuery,
  createAccountListMutation,
  customersQuery,
  gatewayQuery,
  peopleQuery,
} from './operations.js';

const url = process.env['GRAPHQL_URL'] ?? 'http://127.0.0.1:8080/query';

interface GraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

interface GraphQLResponse<TResult> {
  data?: TResult | null;
  errors?: GraphQLError[];
}

/**
 * Sends one typed document and returns its data, typed by the document.
 * Any GraphQL error is a failure: this client selects nothing it expects
 * to fail. Operations without variables take no second argument.
 */
async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: GraphQLResponse<TResult>;
  try {
    body = JSON.parse(text) as GraphQLResponse<TResult>;
  } catch {
    throw new Error(`HTTP ${response.status}: not JSON: ${text.slice(0, 200)}`);
  }
  if (body.errors?.length) {
    const messages = body.errors.map(
      (e) => `${e.message} [${String(e.extensions?.['code'] ?? 'no code')}] at ${e.path?.join('.') ?? '-'}`,
    );
    throw new Error(`GraphQL errors (HTTP ${response.status}): ${messages.join('; ')}`);
  }
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  if (body.data == null) {
    throw new Error(`HTTP ${response.status}: no data: ${text.slice(0, 200)}`);
  }
  return body.data;
}

/** Returns v, or fails naming what was missing. */
function must<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) {
    throw new Error(`missing data: ${what}`);
  }
  return v;
}

function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`unexpected data: ${what}`);
  }
}

async function main(): Promise<void> {
  const { gateway } = await execute(gatewayQuery);
  check(gateway.vendors.length === 4, `4 vendors, got ${gateway.vendors.length}`);
  console.log(`gateway ${gateway.version}, sandbox=${gateway.sandbox}`);

  // AppDirect, two pages ordered by name.
  const first = must((await execute(accountsQuery, { first: 2, orderBy: { field: 'NAME', direction: 'ASC' } })).accounts, 'accounts');
  check(first.nodes.length === 2, 'a first page of 2 accounts');
  check(first.pageInfo.hasNextPage, 'a second page of accounts');
  const second = must(
    (await execute(accountsQuery, { first: 2, after: must(first.pageInfo.endCursor, 'endCursor'), orderBy: { field: 'NAME' } }))
      .accounts,
    'accounts page 2',
  );
  const firstIds = new Set(first.nodes.map((a) => a.id));
  check(second.nodes.length > 0 && second.nodes.every((a) => !firstIds.has(a.id)), 'page 2 repeats no account of page 1');
  console.log(`appdirect: ${first.totalCount ?? '?'} accounts, first ${must(first.nodes[0], 'account').name ?? '(no name)'}`);

  // Apptivo, each customer with its Ortto person.
  const customers = must((await execute(customersQuery, { first: 20 })).customers, 'customers').nodes;
  const linked = customers.filter((c) => c.person !== null);
  check(customers.length > 0, 'some customers');
  check(linked.length > 0, 'a customer with an Ortto person');
  console.log(`apptivo: ${customers.length} customers, ${linked.length} with an Ortto person`);

  // Ortto, one result per ref in order; null where unknown.
  const email = must(linked[0]?.primaryEmail, 'primaryEmail');
  const people = must(
    (await execute(peopleQuery, { refs: [{ email }, { id: 'ffffffffffffffffffffff00' }] })).people,
    'people',
  );
  check(people.length === 2, 'one person per ref');
  const person = must(people[0], `person ${email}`);
  check(person.email === email, 'the person has the email asked for');
  check((person.customers ?? []).length > 0, 'the person links back to an Apptivo customer');
  check(people[1] === null, 'an unknown person is null');
  console.log(`ortto: ${email} has ${person.subscriptions.length} subscriptions`);

  // Cordial: create a list, then find it by name.
  const name = `ts_client_${Date.now()}`;
  const created = must((await execute(createAccountListMutation, { input: { name, enhanced: true } })).createAccountList, 'createAccountList');
  check(created.name === name && created.enhanced && created.contactCount === 0, 'the created list');
  const lists = must((await execute(accountListsQuery, { name })).accountLists, 'accountLists');
  check(lists.length === 1 && lists[0]?.id === created.id, 'the new list found by name');
  console.log(`cordial: created list ${created.id} ${created.name}`);

  console.log('ts-client: all operations passed');
}

main().catch((err: unknown) => {
  console.error(`ts-client: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
