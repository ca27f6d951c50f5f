// Package appdirect is Switchyard's client for one AppDirect marketplace:
// the REST company API (account API v2) and the GraphQL accounts API.
//
// Authentication is the OAuth 2.0 client-credentials grant: the client
// posts its id and secret (HTTP Basic) to <base>oauth2/token for scope
// ROLE_PARTNER and sends the access token as "Authorization: Bearer". The
// token source is built once in New and caches the token until it expires
// (oauth2 refreshes it shortly before), so many calls share one token
// fetch. AppDirect issues no refresh token for this grant. A refused token
// request (400/401/403) is an *outbound.Error of KindAuth with the OAuth
// error code and description; an unreachable token endpoint is
// KindUnavailable. The client secret never appears in an error.
//
// GraphQL calls go through the shared client's Do (outbound.Client): the
// account queries post hand-built documents and decode the reply once
// (execRaw), and deleteAccount goes through github.com/hasura/go-graphql-client
// whose HTTP client is a thin adapter over Do; so GraphQL and REST share
// the transport, body limit, checkResponse, error mapping and scrubbing. The account
// queries are built from a field selection (ConnectionSelection, the
// fields argument) and contain only what the caller needs plus "id";
// every argument travels as a GraphQL variable, and the text is
// deterministic so identical requests are byte-identical. Field names
// outside AccountFields are refused with KindBadInput before any call.
//
// Inference: where AppDirect's documents are vague, this package assumes:
//   - The GraphQL input types are named AccountFilter and AccountOrderBy
//     ({field: NAME|DATE, direction: ASC|DESC}); the accounts connection
//     has edges{cursor node}, nodes, pageInfo and totalCount (only nodes is
//     documented).
//   - GraphQL errors arrive as errors[] with an optional extensions.code;
//     the code picks the Kind (GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT ->
//     BadInput; UNAUTHENTICATED, FORBIDDEN -> Auth; NOT_FOUND -> NotFound;
//     anything else -> Upstream). Whether they come with HTTP 200 or 4xx is
//     unknown, so both are handled.
//   - DeleteAccountError has code and message; a code ending in NOT_FOUND
//     (ACCOUNT_NOT_FOUND) is KindNotFound, other codes
//     (ACCOUNT_HAS_MEMBERSHIPS, ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS) are
//     KindFailedPrecondition.
//   - REST error bodies are {code, message}; 401s from the API may instead
//     carry Spring Security's {error, error_description}. Both are read.
//   - A company's address has street1, street2, city, state, zip and
//     country; companyId may be a string or a number; customAttributes are
//     kept as raw JSON (their element shape is unpublished).
//   - The REST list GET api/account/v2/companies?page&size is 0-based
//     (Spring Data) and answers {links, content[], page{size,
//     totalElements, totalPages, number}}.
//   - The accounts filter has name (the document's "account name ... as a
//     filter"), an exact match; Account.contactAddress has the REST
//     address's fields and Account.tenant is a string (both unpublished
//     shapes).
//   - Account.accountMemberships (listed, shape unpublished) is a Relay
//     connection paged forward with first/after, whose nodes are
//     AccountMembership{user{id email firstName lastName} roles[]}. It is
//     the one Account field with arguments: selected, it is sent with a
//     fixed sub-selection (totalCount, pageInfo, nodes) and the variables
//     $membershipsFirst/$membershipsAfter (MembershipsArgs), which are
//     declared only then, so other queries keep their exact text.
//   - createdOn is ISO 8601; zone-less values are read as UTC and epoch
//     milliseconds are tolerated.
//   - The token fetch uses the context the token source was built with,
//     not the caller's, because the cached source is shared by all callers;
//     it is bounded by the HTTP client's timeout instead.
package appdirect
