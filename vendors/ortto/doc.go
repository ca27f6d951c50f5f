// Package ortto is the Switchyard client for the two Ortto APIs the gateway
// fronts: bulk archive/restore/delete of accounts (PUT v1/accounts/archive,
// PUT v1/accounts/restore, DELETE v1/accounts/delete) and people's
// subscription statuses (POST v1/person/subscriptions). It also lists
// accounts (POST v1/accounts/get) so that a dry run of a bulk call can name
// the accounts it would touch (AccountIDs, Affected) without calling it.
//
// The client knows Ortto's paths, JSON and error bodies and nothing else:
// retries, breakers, metrics and tracing live in the shared transport chain
// (internal/base/outbound) that the caller's *http.Client carries. Authentication
// is one RoundTripper that adds X-Api-Key, so the key never passes through
// request-building code and never reaches an error text.
//
// Ortto caps every bulk account call and every subscriptions lookup at 100
// records (MaxBatch). The client splits larger work into compliant calls,
// sends them one after another (Ortto rate-limits per second, so parallel
// chunks would only trade a slower call for a 429) and merges the results,
// so callers never see the cap. A failed chunk is reported with the ids it
// and every not-yet-attempted chunk covered; chunks already done are not
// retried here.
//
// Where the vendor documents are vague the client makes these choices:
//
// Inference: live archive and restore replies use scheduled_organizations /
// archived_organizations / restored_organizations while delete uses
// scheduled_accounts / deleted_accounts and the document uses *_accounts
// everywhere. BulkResult accepts both families for every operation; when a
// reply carries both names for one count, the *_accounts name wins.
//
// Inference: a 429 reply carries its wait in the body
// ({"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":10}})
// and may carry no Retry-After header; try-in-seconds wins over the header
// when both are present.
//
// Inference: Ortto's error "code" is the HTTP status repeated as a number,
// so it is not copied into outbound.Error.Code (which would only duplicate
// HTTPStatus); a string code (the rate-limit body's "rate-limit") is.
// The "details" entries of a 400 are appended to Message when they add
// text the top-level "error" does not already contain.
//
// Inference: with all_rows_selected the selection goes to Ortto as one call
// (Ortto selects the rows itself; there is nothing to split), so its
// exclusion_ids and inclusion_ids must each fit in MaxBatch or the call is
// refused locally with KindBadInput. Without all_rows_selected the
// inclusion_ids are split into chunks and each chunk carries the caller's
// exclusion_ids unchanged.
//
// Inference: POST v1/accounts/get is not in our vendor documents. Its
// reply shape, {"accounts":[{"id","fields"}],"meta":{…},"offset",
// "next_offset","cursor_id","has_more"}, is the live recording
// (fixtures/ortto/accounts/get_accounts_basic.json); its request is taken
// from the sibling people listing (POST v1/person/get in NOTES and the
// SDK-written OpenAPI): "limit" 1..500, "offset", "fields" (required there,
// so AccountIDs asks for "str:o:name", which every account has, and
// nothing else to keep pages small) and "type":"archived" for the
// archived list. The recorded 400 "One or more attributes is invalid" for
// "type":"archived_account" (the SDK's guess) says that value is not it.
//
// Inference: paging is by offset. next_offset is the offset of the next
// page (recorded: offset 0, two accounts, next_offset 2) and has_more
// false ends the list. cursor_id is not used: what it pages over is not
// documented, and offset paging needs nothing else. AccountIDs asks for
// MaxListLimit per page, reads at most MaxListPages pages and treats a
// has_more reply whose next_offset does not move forward as a vendor
// fault (KindUpstream), so a misbehaving reply cannot loop for ever. An id
// seen on an earlier page is kept once (the list can move between pages).
//
// Inference: Affected mirrors the bulk rules as the simulator applies them
// and Ortto's documents imply: archive acts on the main list, restore and
// delete on the archived list; explicit ids not in that list (unknown, or
// in the other list) are not affected; exclusion_ids are taken out both
// from explicit ids (every chunk of a split call carries them) and from
// all_rows_selected; with all_rows_selected, inclusion_ids are ignored.
// Ids are compared exactly. The ids come in Ortto's list order, each once,
// and an empty result is [] rather than nil. A dry run is a snapshot: the
// lists can change before a real call, so its count is what the call
// would do now, not a promise.
//
// Inference: subscription replies are matched back to the requested refs
// by identifier, following Ortto's precedence (person_id, then email
// compared case-insensitively, then external_id). Recorded replies echo
// the identifier used for person_id and email lookups; no recorded reply
// shows whether external_id is echoed. A ref that no entry echoes is
// therefore matched by position when the reply has exactly one entry per
// ref and the entry at that position echoes no other ref of the batch
// (recorded replies answer in request order). An entry with no person_id
// or with person_status "not-found" is a person Ortto does not know and
// yields nil. Duplicate
// refs (same identifier by precedence) are sent once.
package ortto
