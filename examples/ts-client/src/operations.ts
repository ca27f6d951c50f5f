// The operations of the example TypeScript client. `npm run codegen` reads
// every graphql() call here and generates a typed document for each into
// src/gql/, so each document carries its result and variables types.
import { graphql } from './gql/index.js';

/** Switchyard itself: never calls a vendor. */
export const gatewayQuery = graphql(`
  query Gateway {
    gateway {
      version
      sandbox
      vendors {
        name
        configured
        simulated
      }
    }
  }
`);

/** AppDirect accounts (GraphQL pass-through) with their REST company. */
export const accountsQuery = graphql(`
  query Accounts($first: Int!, $after: String, $orderBy: AccountOrder) {
    accounts(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        status
        createdOn
        company {
          industry
        }
      }
    }
  }
`);

/** Apptivo customers, each with its Ortto person found by email. */
export const customersQuery = graphql(`
  query Customers($first: Int) {
    customers(first: $first) {
      nodes {
        id
        name
        primaryEmail
        person {
          id
          subscriptions {
            audienceName
            subscribed
          }
        }
      }
    }
  }
`);

/** Ortto people, one per ref in order (null where unknown), with their Apptivo customers. */
export const peopleQuery = graphql(`
  query People($refs: [PersonRef!]!) {
    people(refs: $refs) {
      id
      email
      subscriptions {
        audienceName
        subscribed
      }
      customers {
        id
        name
      }
    }
  }
`);

/** The fields of a Cordial account list this client reads. */
export const accountListFields = graphql(`
  fragment AccountListFields on AccountList {
    id
    name
    enhanced
    contactCount
  }
`);

/** Cordial account lists, all or by exact name. */
export const accountListsQuery = graphql(`
  query AccountLists($name: String) {
    accountLists(name: $name) {
      ...AccountListFields
    }
  }
`);

/** Cordial: create a list. */
export const createAccountListMutation = graphql(`
  mutation CreateAccountList($input: CreateAccountListInput!) {
    createAccountList(input: $input) {
      ...AccountListFields
    }
  }
`);
