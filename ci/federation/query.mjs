// The query that crosses both subgraphs through the gateway, and the
// checks that each part of the answer came from the subgraph that owns
// it.
//
//   node query.mjs --gateway http://127.0.0.1:4000/graphql
import { parseArgs } from 'node:util';
import { memberEmails, tierOf } from './loyalty.mjs';

export const crossingQuery = `
  query Crossing($account: ID!, $list: ID!) {
    # Switchyard's Apptivo customers, with loyaltyTier from the loyalty subgraph
    # and each customer's Ortto person from Switchyard again.
    customers(first: 2) {
      nodes { id name loyaltyTier person { email subscriptions { audienceName subscribed } } }
    }
    # The loyalty subgraph's programme, whose customers, people (by email),
    # account and list Switchyard resolves through _entities.
    loyaltyProgram(partnerAccountId: $account, mailingListId: $list) {
      name
      leaders { id name primaryEmail loyaltyTier }
      members { email id subscriptions { audienceName } }
      partner { id name status }
      mailingList { id name contactCount }
    }
  }`;

async function post(url, query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (!res.ok || body.errors?.length) {
    throw new Error(`HTTP ${res.status}: ${JSON.stringify(body, null, 2)}`);
  }
  return body.data;
}

function check(cond, what, data) {
  if (!cond) throw new Error(`${what}\nin: ${JSON.stringify(data, null, 2)}`);
}

const filled = (s) => typeof s === 'string' && s.length > 0;

/** crossSubgraphs runs the crossing query through the gateway and checks the answer. */
export async function crossSubgraphs(gatewayURL) {
  const ids = await post(gatewayURL, '{ accounts(first: 1) { nodes { id } } accountLists { id } }');
  const account = ids.accounts?.nodes?.[0]?.id;
  const list = ids.accountLists?.[0]?.id;
  check(filled(account) && filled(list), 'the sandbox has an AppDirect account and a Cordial list', ids);

  const data = await post(gatewayURL, crossingQuery, { account, list });
  const nodes = data.customers?.nodes ?? [];
  check(nodes.length === 2, 'two customers', data);
  for (const c of nodes) {
    check(filled(c.name), `customer ${c.id}: name from switchyard`, data);
    check(c.loyaltyTier === tierOf(c.id), `customer ${c.id}: loyaltyTier from loyalty`, data);
    check(c.person === null || Array.isArray(c.person.subscriptions), `customer ${c.id}: person from switchyard`, data);
  }
  check(nodes.some((c) => c.person?.subscriptions?.length > 0), 'some customer has Ortto subscriptions', data);

  const p = data.loyaltyProgram;
  check(p?.name === 'Switchyard Rewards', 'programme name from loyalty', data);
  check(p.leaders.length > 0 && p.leaders.every((c) => filled(c.name) && c.loyaltyTier === tierOf(c.id)),
    'leaders: Customer entities resolved by switchyard', data);
  check(p.members.length === memberEmails.length && p.members.every((m) => filled(m?.id) && m.subscriptions.length > 0),
    'members: Person entities resolved by email by switchyard', data);
  check(p.partner?.id === account && filled(p.partner.name) && filled(p.partner.status), 'partner: Account entity resolved by switchyard', data);
  check(p.mailingList?.id === list && filled(p.mailingList.name) && Number.isInteger(p.mailingList.contactCount),
    'mailingList: AccountList entity resolved by switchyard', data);
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { gateway: { type: 'string' } } });
  if (!values.gateway) {
    console.error('usage: node query.mjs --gateway <url>');
    process.exit(2);
  }
  try {
    const data = await crossSubgraphs(values.gateway);
    console.log(JSON.stringify(data, null, 2));
    console.log('the query crossed both subgraphs');
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
