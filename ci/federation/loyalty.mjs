// The loyalty subgraph: a small second Apollo Federation v2 subgraph that
// extends Switchyard's entities, so that CI can compose the two and query
// across them through Hive Gateway.
//
// It adds `loyaltyTier` to Switchyard's `Customer` (an entity it can
// resolve), and `loyaltyProgram`, whose fields point at Switchyard's
// `Customer`, `Person` (by email), `Account` and `AccountList`: the
// gateway resolves those through Switchyard's `_entities`.
//
//   node loyalty.mjs --port 4101
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse } from 'graphql';

export const typeDefs = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  # Switchyard's types keep Switchyard's descriptions: the types here have
  # none, so composition has no two descriptions to choose between.

  # An Apptivo customer, served by Switchyard; this subgraph adds its tier.
  type Customer @key(fields: "id") {
    id: ID!
    "The customer's tier in Switchyard Rewards, the loyalty programme (from the loyalty subgraph)."
    loyaltyTier: String
  }

  # An Ortto person, served by Switchyard, referred to by email.
  type Person @key(fields: "email", resolvable: false) {
    email: String
  }

  # An AppDirect account, served by Switchyard.
  type Account @key(fields: "id", resolvable: false) {
    id: ID!
  }

  # A Cordial account list, served by Switchyard.
  type AccountList @key(fields: "id", resolvable: false) {
    id: ID!
  }

  "A loyalty programme: every field but name is Switchyard's data."
  type LoyaltyProgram {
    name: String!
    "The customers with the highest tiers."
    leaders: [Customer!]!
    "Members' Ortto people, by email."
    members: [Person]!
    "The AppDirect account that runs the programme."
    partner: Account
    "The Cordial list the programme mails."
    mailingList: AccountList
  }

  type Query {
    loyaltyProgram(partnerAccountId: ID!, mailingListId: ID!): LoyaltyProgram!
  }
`);

// Tiers of the sandbox's demo customers; any other customer is BRONZE.
const tiers = { 1001: 'GOLD', 1002: 'SILVER' };

/** The tier of the customer with this Apptivo id. */
export function tierOf(id) {
  return tiers[id] ?? 'BRONZE';
}

/** The emails of the programme's members (sandbox demo people). */
export const memberEmails = ['ada.lovelace@example.com', 'grace.hopper@example.com'];

const resolvers = {
  Customer: {
    __resolveReference: (ref) => ({ id: ref.id, loyaltyTier: tierOf(ref.id) }),
  },
  Query: {
    loyaltyProgram: (_, { partnerAccountId, mailingListId }) => ({
      name: 'Switchyard Rewards',
      leaders: Object.keys(tiers).map((id) => ({ id, loyaltyTier: tierOf(id) })),
      members: memberEmails.map((email) => ({ email })),
      partner: { id: partnerAccountId },
      mailingList: { id: mailingListId },
    }),
  },
};

export const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);

/** serve answers GraphQL POSTs (application/json) on /graphql. */
export function serve(port, host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || new URL(req.url, 'http://x').pathname !== '/graphql') {
      return reply(404, { errors: [{ message: 'POST /graphql' }] });
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    let params;
    try {
      params = JSON.parse(body);
    } catch {
      return reply(400, { errors: [{ message: 'body is not JSON' }] });
    }
    const result = await graphql({
      schema,
      source: params.query,
      variableValues: params.variables,
      operationName: params.operationName,
    });
    reply(200, result);
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '4101' } } });
  const server = await serve(Number(values.port));
  const { port } = server.address();
  console.log(`loyalty subgraph on http://127.0.0.1:${port}/graphql`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
}
