// Package appdirectsim is a stateful simulator of one AppDirect
// marketplace, as far as Switchyard uses it: the OAuth2 token endpoint,
// the REST company API and the GraphQL accounts API. It serves real HTTP
// on loopback (or just a handler for simkit.Mux) and imports nothing of
// the gateway.
//
// Routes:
//   - POST /oauth2/token: client credentials in HTTP Basic,
//     grant_type=client_credentials, scope ROLE_PARTNER and/or
//     ROLE_PARTNER_READ. Replies {access_token, token_type:"bearer",
//     expires_in:43199, scope}; bad credentials get 401
//     {"error":"invalid_client","error_description":"Bad client credentials"}.
//   - GET /api/account/v2/companies?page&size: every company, paged
//     {links, content[], page{size, totalElements, totalPages, number}}
//     (inference: 0-based page, size 1..100, default 20; else 400).
//   - GET /api/account/v2/companies/{uuid} and
//     GET /api/account/v2/companies/externalID:{externalId}: the company
//     view of an account (uuid = account id); 404 {code, message} when
//     unknown.
//   - POST /api/graphql and POST /api/graphql/preview: a gqlgen server
//     (schema in graph/schema.graphqls, generated code in graph/, resolvers
//     hand-written in resolver.go) that validates every operation against
//     the schema, so unknown fields and mistyped variables are refused
//     (HTTP 422, extensions.code GRAPHQL_VALIDATION_FAILED) as a real
//     GraphQL server would. Introspection is on. Operations in Preview
//     status (deleteAccount) are served only on /api/graphql/preview, as
//     AppDirect's GraphQL overview says; /api/graphql refuses them with
//     the same 422 an unknown field gets (inference: the production
//     schema lacks them). Queries are served on both.
//
// Every /api/ route needs a bearer token this server issued and that has
// not expired; otherwise 401. Tokens are self-contained (signed expiry and
// scope), so a Reset does not log clients out.
//
// Business rules: deleteAccount answers success:false with userErrors
// ACCOUNT_HAS_MEMBERSHIPS and/or ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS while
// the account has memberships or active subscriptions, ACCOUNT_NOT_FOUND
// for an unknown id, and otherwise removes the account and with it its
// company. The accounts query follows the Relay connection algorithm with
// opaque base64 cursors.
//
// State (State/SetState) is {"accounts":[{id, name, status, accessTypes,
// createdOn, defaultRole, externalId, countryCode, website, contactEmail,
// contactPhoneNumber, companySize, industry, address, memberships,
// activeSubscriptions}]}; industry and address only feed the REST view,
// activeSubscriptions (a count) only the delete rule. memberships is the
// list of the account's members, each {userId, email, firstName,
// lastName, roles[]} (userId and email required, userId unique in the
// account); it is served as Account.accountMemberships and the delete
// rule counts it. For older state documents an integer is still accepted
// in its place and becomes that many placeholder members
// ("<accountId>-member-<n>", role USER); State always writes the list.
//
// Inference: where AppDirect's documents are vague, the simulator assumes:
//   - GraphQL type names AccountFilter, AccountOrderBy, AccountOrderField
//     (NAME, DATE), OrderDirection (ASC, DESC), AccountEdge, PageInfo,
//     DeleteAccountError{code, message}; the connection has edges, nodes,
//     pageInfo and totalCount.
//   - Page sizes: first/last between 0 and 100; 20 when neither is given;
//     first and last together are refused; the default order is DATE
//     ascending, ties broken by id. searchText is a case-insensitive
//     substring of the name or of the external id (the schema's
//     description); name is an exact, case-insensitive match (the document:
//     "only an account with that name is returned"); createdBefore and
//     createdAfter are strict. Account.contactAddress is the stored
//     address and tenant the stored tenant (inference: a string id; both
//     shapes are unpublished).
//   - Resolver errors carry extensions.code BAD_USER_INPUT (bad paging
//     arguments or cursor) or FORBIDDEN (deleteAccount with a token that
//     has only ROLE_PARTNER_READ), with HTTP 200.
//   - The DeleteAccountError codes named above; all applicable refusals are
//     listed.
//   - Account.accountMemberships (NOTES.md lists the field, its arguments
//     and type are unpublished) is a forward-only Relay connection,
//     accountMemberships(first, after): AccountMembershipConnection! with
//     edges{cursor node}, nodes, pageInfo and totalCount, like accounts;
//     first is 0..100 (default 20) and an unknown or foreign cursor is
//     BAD_USER_INPUT. A node is AccountMembership{user: User!{id, email,
//     firstName, lastName}, roles: [String!]!}; members come in the order
//     stored, and role names (USER, SYS_ADMIN, BILLING_ADMIN,
//     CHANNEL_ADMIN) are free strings.
//   - A missing scope on the token request is granted ROLE_PARTNER; any
//     scope other than the two allowed is 400 invalid_scope.
//   - API 401 bodies are Spring Security OAuth2's {error,
//     error_description} ("unauthorized" without a token, "invalid_token"
//     with a bad or expired one); other REST errors (404, 405, injected
//     faults) are {code, message}.
//   - The company view: enabled for ENABLED and ENABLED_WITHOUT_LOGIN,
//     allowLogin only for ENABLED, status = the account status,
//     creationDate = createdOn in epoch ms, emailAddress = contactEmail,
//     phoneNumber = contactPhoneNumber, vendor/reseller/channelAdmin from
//     accessTypes, companyId null, customAttributes empty, address
//     {street1, street2, city, state, zip, country}, links self and
//     memberships built from the URL the request came in by.
//   - How strict it is (issue 21): GraphQL documents are validated against
//     the schema, so an unknown or misspelled field, argument or input key
//     is refused with GraphQL's own errors and nothing changes. The token
//     endpoint ignores form parameters it does not know, as RFC 6749
//     section 3.1 requires of an authorization server, and the REST
//     companies list ignores unknown query parameters, as Spring's binding
//     does; its page and size are checked (400 outside 0.. and 1..100).
package appdirectsim
