/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Gateway {\n    gateway {\n      version\n      sandbox\n      vendors {\n        name\n        configured\n        simulated\n      }\n    }\n  }\n": typeof types.GatewayDocument,
    "\n  query Accounts($first: Int!, $after: String, $orderBy: AccountOrder) {\n    accounts(first: $first, after: $after, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        createdOn\n        company {\n          industry\n        }\n      }\n    }\n  }\n": typeof types.AccountsDocument,
    "\n  query Customers($first: Int) {\n    customers(first: $first) {\n      nodes {\n        id\n        name\n        primaryEmail\n        person {\n          id\n          subscriptions {\n            audienceName\n            subscribed\n          }\n        }\n      }\n    }\n  }\n": typeof types.CustomersDocument,
    "\n  query People($refs: [PersonRef!]!) {\n    people(refs: $refs) {\n      id\n      email\n      subscriptions {\n        audienceName\n        subscribed\n      }\n      customers {\n        id\n        name\n      }\n    }\n  }\n": typeof types.PeopleDocument,
    "\n  fragment AccountListFields on AccountList {\n    id\n    name\n    enhanced\n    contactCount\n  }\n": typeof types.AccountListFieldsFragmentDoc,
    "\n  query AccountLists($name: String) {\n    accountLists(name: $name) {\n      ...AccountListFields\n    }\n  }\n": typeof types.AccountListsDocument,
    "\n  mutation CreateAccountList($input: CreateAccountListInput!) {\n    createAccountList(input: $input) {\n      ...AccountListFields\n    }\n  }\n": typeof types.CreateAccountListDocument,
};
const documents: Documents = {
    "\n  query Gateway {\n    gateway {\n      version\n      sandbox\n      vendors {\n        name\n        configured\n        simulated\n      }\n    }\n  }\n": types.GatewayDocument,
    "\n  query Accounts($first: Int!, $after: String, $orderBy: AccountOrder) {\n    accounts(first: $first, after: $after, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        createdOn\n        company {\n          industry\n        }\n      }\n    }\n  }\n": types.AccountsDocument,
    "\n  query Customers($first: Int) {\n    customers(first: $first) {\n      nodes {\n        id\n        name\n        primaryEmail\n        person {\n          id\n          subscriptions {\n            audienceName\n            subscribed\n          }\n        }\n      }\n    }\n  }\n": types.CustomersDocument,
    "\n  query People($refs: [PersonRef!]!) {\n    people(refs: $refs) {\n      id\n      email\n      subscriptions {\n        audienceName\n        subscribed\n      }\n      customers {\n        id\n        name\n      }\n    }\n  }\n": types.PeopleDocument,
    "\n  fragment AccountListFields on AccountList {\n    id\n    name\n    enhanced\n    contactCount\n  }\n": types.AccountListFieldsFragmentDoc,
    "\n  query AccountLists($name: String) {\n    accountLists(name: $name) {\n      ...AccountListFields\n    }\n  }\n": types.AccountListsDocument,
    "\n  mutation CreateAccountList($input: CreateAccountListInput!) {\n    createAccountList(input: $input) {\n      ...AccountListFields\n    }\n  }\n": types.CreateAccountListDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Gateway {\n    gateway {\n      version\n      sandbox\n      vendors {\n        name\n        configured\n        simulated\n      }\n    }\n  }\n"): typeof import('./graphql.js').GatewayDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Accounts($first: Int!, $after: String, $orderBy: AccountOrder) {\n    accounts(first: $first, after: $after, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        createdOn\n        company {\n          industry\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').AccountsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Customers($first: Int) {\n    customers(first: $first) {\n      nodes {\n        id\n        name\n        primaryEmail\n        person {\n          id\n          subscriptions {\n            audienceName\n            subscribed\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').CustomersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query People($refs: [PersonRef!]!) {\n    people(refs: $refs) {\n      id\n      email\n      subscriptions {\n        audienceName\n        subscribed\n      }\n      customers {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql.js').PeopleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AccountListFields on AccountList {\n    id\n    name\n    enhanced\n    contactCount\n  }\n"): typeof import('./graphql.js').AccountListFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountLists($name: String) {\n    accountLists(name: $name) {\n      ...AccountListFields\n    }\n  }\n"): typeof import('./graphql.js').AccountListsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAccountList($input: CreateAccountListInput!) {\n    createAccountList(input: $input) {\n      ...AccountListFields\n    }\n  }\n"): typeof import('./graphql.js').CreateAccountListDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
