// Package cordialsim is a stateful simulator of Cordial's account lists
// API (/v2/accountlists), served over real HTTP so the gateway's Cordial
// client is exercised exactly as in production.
//
// It follows Cordial's published Swagger spec and the project's NOTES.md:
//
//   - HTTP Basic auth with the API key as username (APIKey by default).
//     Missing or wrong credentials get 401
//     {"error":"Access Denied: Authentication Failure"} and
//     WWW-Authenticate: Basic.
//   - A request body must be application/json or
//     application/x-www-form-urlencoded, else 415 UNSUPPORTED_MEDIA_TYPE;
//     JSON that does not parse is 400 INVALID_JSON_PROVIDED.
//   - POST /v2/accountlists {"name","enhanced"} -> {"success":true,"id":N}.
//     Ids are increasing integers and never reused. A taken name is 422
//     GENERIC_ERROR_KEY "Name must be unique"; an invalid one is 422
//     GENERIC_ERROR_KEY with the spec's letters/numbers/dashes message, or
//     "cid is not allowed for list names." for the reserved name.
//   - GET /v2/accountlists[?name=] -> bare array of {"id","name","enhanced"}.
//   - GET /v2/accountlists/{id} -> {"id","name","enhanced"};
//     GET .../{id}/count adds "count". Unknown: 404 ACCOUNT_LISTS_NOT_FOUND
//     "List does not exist".
//   - PUT /v2/accountlists/{id} -> array holding the updated list. Unknown:
//     404 GENERIC_ERROR_KEY "List is not found". Renaming onto another
//     list's name is 422 "Name must be unique".
//   - PUT /v2/accountlists/{id}/clear -> {"success":true,"id":N}; the list
//     stays and its contact count becomes 0. Unknown: 404
//     ACCOUNT_LISTS_NOT_FOUND.
//   - DELETE /v2/accountlists/{id} -> {"success":true}. Unknown: 404
//     RECORD_NOT_FOUND "record not found".
//   - Other paths get 404 {"error":"'<path>' is not found."} (the shape of
//     a recorded Cordial reply); a known path with the wrong method gets 405.
//
// Contacts are not modelled: each list only has a contact count, which the
// demo data and SetState set and clear resets. The demo counts are chosen
// as if the project's shared demo people (ada.lovelace, grace.hopper,
// alan.turing, katherine.johnson @example.com) were members, but no email
// is stored, because the account lists API never returns one.
//
// State (State/SetState) is {"accountlists":[{"id","name","enhanced","count"}]}.
//
// Inference: names follow NOTES.md, not the spec's message: ASCII letters,
// digits, dashes and underscores, 1..128 characters. "cid" is reserved in
// any letter case.
//
// Inference: name uniqueness and the ?name= filter are exact,
// case-sensitive matches. A filter that matches nothing returns [] (the
// spec also allows a 404 here; the client accepts both). An empty
// ?name= is ignored.
//
// Inference: enhanced defaults to false on create; a PUT without enhanced
// keeps the current value; a PUT without name is 422 with the invalid-name
// message (the spec makes name required). A field of the wrong JSON type
// is 422 VALIDATION_ERROR. An empty body reads as {}.
//
// Strictness: a body key the endpoint does not take is refused with 422
// and the validationErrors shape Cordial answered live for an unknown key
// ({"error":true,"messages":{"validationErrors":{"<key>":["key <key> is
// not part of the schema for this resource"]}}}, fixtures/cordial/vcr/
// Cordial_Contacts/_create), so a misspelled "enhanced" is not ignored.
// POST takes name and enhanced. PUT takes id, name and enhanced: the
// document lists id as a required body parameter, the Swagger body schema
// does not list it at all; the simulator follows the document in
// accepting it and in refusing an id that is not the path's (422,
// validationErrors.id), and follows the spec in not requiring it, because
// the path already names the list and refusing what Cordial's own
// machine-readable spec describes would be a guess at a stricter server.
// The client sends it always. A query parameter other than GET
// /v2/accountlists's name (the spec's only one) gets the same 422. Every
// refusal comes before the store is touched.
//
// Inference: the form-urlencoded body takes the same fields, with enhanced
// written as true/false/1/0.
//
// Inference: a non-integer id is answered like an unknown id, with the
// 404 body of that route. Existence is checked before the body is
// validated.
//
// Inference: the password of the Basic credentials is ignored (Cordial's
// is empty), and auth is checked before routing, so an unauthenticated
// call to an unknown path gets 401.
//
// Inference: the 405 body is {"error":true,"errorKey":"METHOD_NOT_ALLOWED",
// "message":"Method Not Allowed"} with an Allow header; Cordial documents
// none.
//
// Inference: the rate-limit status is 429. Injected faults of any status
// answer {"error":true,"errorKey":"SIMULATED_FAULT","message":"simulated
// fault"}, with Retry-After when the fault sets it.
package cordialsim
