// Package orttosim is a stateful simulator of the Ortto endpoints the
// gateway uses: PUT /v1/accounts/archive, PUT /v1/accounts/restore,
// DELETE /v1/accounts/delete, POST /v1/accounts/get (the listing the
// gateway's dry runs read) and POST /v1/person/subscriptions. It serves
// them over real HTTP on loopback (or as a bare handler to mount under a
// prefix) with Ortto's paths, X-Api-Key auth, JSON shapes, status codes and
// business rules, so the production client can be tested end to end. It
// imports only internal/base/simkit and the standard library.
//
// Rules taken from Ortto's documents and recorded replies:
//   - Every request needs X-Api-Key equal to the sandbox key (APIKey, or
//     Options.APIKey); otherwise 401 with Ortto's error body
//     {"request_id":"<uuid>","code":401,"error":"..."}.
//   - Unknown path: 404 {"…","code":404,"error":"Unknown endpoint or method"};
//     known path, wrong method: 405 with an Allow header. Routing is checked
//     before auth.
//   - Accounts live in a main list or an archived list. Archive takes
//     accounts from the main list; restore and delete act only on archived
//     accounts. all_rows_selected selects the whole main list for archive
//     and the whole archived list for restore and delete, minus
//     exclusion_ids.
//   - Reply keys follow the live recordings, not the document: archive
//     answers {"scheduled_organizations":n,"archived_organizations":m},
//     restore {"scheduled_organizations":n,"restored_organizations":m},
//     delete {"scheduled_accounts":n,"deleted_accounts":m}.
//   - Subscriptions: body {"people":[{person_id|email|external_id}…]}; the
//     identifier used is person_id, else email (case-insensitive), else
//     external_id. A person found by person_id has person_status "by-id"
//     and no email key; by email, "merged" with the email key (the
//     recorded replies). A person object with none of the identifiers
//     fails the whole request with 400. Reply entries follow request order.
//   - Listing (POST /v1/accounts/get) answers the recorded shape
//     {"accounts":[{"id","fields"}],"meta":{"total_contacts":0,
//     "total_organizations":n,"total_matches":m,"total_subscribers":0},
//     "offset","next_offset","cursor_id","has_more"} with keys in recorded
//     order; fields holds only the requested field ids the account has a
//     value for (the recording asked for name and website and got only the
//     name). Served the recording's two accounts, the reply equals the
//     recording byte for byte but for cursor_id. "type":"archived_account"
//     is refused with the recorded 400 "One or more attributes is invalid";
//     an inclusion_ids, exclusion_ids or cursor_id entry whose length is
//     not 12 or 24 gets the recorded ID-parse 400 ("…the length must be 12
//     or 24 + 2 for hex but it is N: Object not found", N counting the
//     quotes), with "sandbox" where Ortto names the instance.
//   - A 429 fault renders Ortto's rate-limit body
//     {"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":N}};
//     other faults {"request_id":"<uuid>","code":status,"error":"simulated fault"}.
//
// Inference: unknown ids, and ids in the wrong state (restoring or deleting
// an account that is not archived, archiving one that already is), are
// skipped and simply not counted; the call still answers 200.
//
// Inference: more than 100 inclusion_ids (or exclusion_ids) in one bulk
// account call, and more than 100 people in one subscriptions call, is a
// 400. An empty people array is a 400 (people is required).
//
// Inference: a bulk body with neither a non-empty inclusion_ids nor
// "all_rows_selected": true is a 400. When all_rows_selected is true,
// inclusion_ids are ignored.
//
// Inference: explicit inclusion_ids are counted synchronously
// (archived_*/restored_*/deleted_*) while all_rows_selected work is
// counted as scheduled_* — as Ortto would queue it — but the simulator
// applies it immediately, so State shows the result at once.
//
// Inference: the simulator does not check id format (real Ortto answers 400
// for ids that are not 24 hex characters on other account endpoints); any
// unknown id is just skipped, which keeps test data simple.
//
// Inference: a person found by external_id has person_status
// "by-external-id" and carries the external_id key. An unknown person gets
// {"person_status":"not-found"} plus the one identifier it was looked up by.
//
// Inference: the 401 error text ("Invalid API key") and the 405 text
// ("Method not allowed") are not recorded anywhere; the envelope is the
// recorded 400 envelope. Content-Type is not enforced.
//
// Inference: an injected 429 with no RetryAfterSeconds renders
// "try-in-seconds":1 (Ortto never documents a zero wait; its example is 10,
// which would slow tests that honour it).
//
// Inference: accounts/get takes the people listing's parameters (NOTES,
// POST /v1/person/get): "limit" 1..500, and 50 when absent or out of range
// (the people endpoint's documented fallback, chosen over a 400);
// "offset" from 0 (negative is a 400 "One or more attributes is
// invalid"); "fields" required and non-empty, with no blank id (else the
// same 400, as the people endpoint requires fields). "type" "" lists the
// main list and "archived" the archived list (the people endpoint's
// value); any other type is the recorded 400.
//
// Inference: a page is the matching accounts [offset, offset+limit) in
// store order; next_offset = offset + accounts returned (the recording:
// 0 + 2 = 2, has_more false) and has_more = next_offset < total_matches. An
// offset past the end answers [] with next_offset = offset. An empty list
// is "accounts":[]. total_organizations counts the whole listed list;
// total_matches what is left after inclusion_ids (when non-empty: only
// those ids, still in list order) and exclusion_ids. total_contacts and
// total_subscribers are 0, as recorded.
//
// Inference: cursor_id in a reply is a fresh random 24-hex id (the
// recorded one has that form); a well-formed cursor_id in a request is
// accepted and ignored, and paging is by offset alone.
//
// Simulator limitation (not Ortto behaviour): "filter", "q" and
// "sort_by_field_id" are refused with a 400 that says the simulator does
// not support them, rather than answered as if they had been applied.
// "sort_order" alone changes nothing and is ignored.
//
// State (State/SetState) is {"people":[…],"accounts":[…]} in Ortto's wire
// names: people carry person_id, email, external_id, subscriptions (audience
// wire names) and the five *_permissions flags; accounts are
// {"id":"…","fields":{"str:o:name":"…"},"archived":false}. The "archived"
// flag is the simulator's addition: Ortto keeps archived accounts in a
// separate list rather than flagging them; it decides which list
// accounts/get serves.
package orttosim
