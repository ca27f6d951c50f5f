/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Sort order for `accounts`. Passed to AppDirect. */
export type AccountOrder = {
  /** Sort direction. */
  direction?: OrderDirection;
  /** Field to sort by. */
  field: AccountOrderField;
};

/** Fields AppDirect can sort accounts by. */
export type AccountOrderField =
  /** Creation date. */
  | 'DATE'
  /** Account name. */
  | 'NAME';

/** Lifecycle status of an AppDirect account. */
export type AccountStatus =
  /** Disabled: members cannot log in. */
  | 'DISABLED'
  /** Active. */
  | 'ENABLED'
  /** Active, but members cannot log in. */
  | 'ENABLED_WITHOUT_LOGIN'
  /** Created, not yet activated. */
  | 'PENDING_ACTIVATION';

/** Input of `createAccountList`. */
export type CreateAccountListInput = {
  /** Record the date each contact joins the list. */
  enhanced?: boolean | null | undefined;
  /** Unique name: letters, digits, dashes and underscores, at most 128 characters, not `cid`. */
  name: string;
};

/** Direction of a sort. */
export type OrderDirection =
  /** Smallest first. */
  | 'ASC'
  /** Largest first. */
  | 'DESC';

/**
 * How to find an Ortto person: give at least one identifier. When several are
 * given Ortto uses `id` first, then `email`, then `externalId`.
 */
export type PersonRef = {
  /** Email address. */
  email?: string | null | undefined;
  /** Your external id. */
  externalId?: string | null | undefined;
  /** Ortto person id. */
  id?: string | number | null | undefined;
};

export type GatewayQueryVariables = Exact<{ [key: string]: never; }>;


export type GatewayQuery = { gateway: { version: string, sandbox: boolean, vendors: Array<{ name: string, configured: boolean, simulated: boolean }> } };

export type AccountsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  orderBy?: AccountOrder | null | undefined;
}>;


export type AccountsQuery = { accounts: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string | null, status: AccountStatus, createdOn: string | null, company: { industry: string | null } | null }> } | null };

export type CustomersQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type CustomersQuery = { customers: { nodes: Array<{ id: string, name: string, primaryEmail: string | null, person: { id: string, subscriptions: Array<{ audienceName: string, subscribed: boolean }> } | null }> } | null };

export type PeopleQueryVariables = Exact<{
  refs: Array<PersonRef> | PersonRef;
}>;


export type PeopleQuery = { people: Array<{ id: string, email: string | null, subscriptions: Array<{ audienceName: string, subscribed: boolean }>, customers: Array<{ id: string, name: string }> | null } | null> | null };

export type AccountListFieldsFragment = { id: string, name: string, enhanced: boolean, contactCount: number | null };

export type AccountListsQueryVariables = Exact<{
  name?: string | null | undefined;
}>;


export type AccountListsQuery = { accountLists: Array<{ id: string, name: string, enhanced: boolean, contactCount: number | null }> | null };

export type CreateAccountListMutationVariables = Exact<{
  input: CreateAccountListInput;
}>;


export type CreateAccountListMutation = { createAccountList: { id: string, name: string, enhanced: boolean, contactCount: number | null } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AccountListFieldsFragmentDoc = new TypedDocumentString(`
    fragment AccountListFields on AccountList {
  id
  name
  enhanced
  contactCount
}
    `, {"fragmentName":"AccountListFields"}) as unknown as TypedDocumentString<AccountListFieldsFragment, unknown>;
export const GatewayDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<GatewayQuery, GatewayQueryVariables>;
export const AccountsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<AccountsQuery, AccountsQueryVariables>;
export const CustomersDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CustomersQuery, CustomersQueryVariables>;
export const PeopleDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<PeopleQuery, PeopleQueryVariables>;
export const AccountListsDocument = new TypedDocumentString(`
    query AccountLists($name: String) {
  accountLists(name: $name) {
    ...AccountListFields
  }
}
    fragment AccountListFields on AccountList {
  id
  name
  enhanced
  contactCount
}`) as unknown as TypedDocumentString<AccountListsQuery, AccountListsQueryVariables>;
export const CreateAccountListDocument = new TypedDocumentString(`
    mutation CreateAccountList($input: CreateAccountListInput!) {
  createAccountList(input: $input) {
    ...AccountListFields
  }
}
    fragment AccountListFields on AccountList {
  id
  name
  enhanced
  contactCount
}`) as unknown as TypedDocumentString<CreateAccountListMutation, CreateAccountListMutationVariables>;