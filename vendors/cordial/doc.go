// Package cordial is the gateway's client for Cordial's account lists API
// (https://api.cordial.io/v2/accountlists): create, list, read, count,
// update, clear and delete the named lists that segment an audience.
//
// Every call goes through one http.Client whose transport is the shared
// outbound chain wrapped by an HTTP Basic auth layer (the API key is the
// username, the password is empty), and every failure is an
// *outbound.Error built by checkResponse from Cordial's own error body.
// Resource paths are relative ("v2/accountlists"), so a base URL with a
// path prefix, such as a simulator mounted at http://127.0.0.1:9090/cordial,
// keeps its prefix.
//
// Cordial's error bodies are not uniform, so checkResponse decodes them
// tolerantly: the documented `{"error":true,"errorKey":"...","message":"..."}`,
// the auth failure `{"error":"Access Denied: Authentication Failure"}` whose
// `error` is a string, the recorded `{"error":true,"message":"record not found"}`
// without an errorKey, and the recorded `{"error":true,"messages":...}` whose
// messages is a string or a validationErrors object.
//
// Inference: Cordial documents 422 for both a taken name and an invalid
// name; only the message tells them apart. A 422 whose message says the
// name "must be unique" is KindConflict, any other 422 is KindBadInput.
//
// Inference: the rate-limit status is not documented; 429 is assumed, with
// the documented Retry-After header honoured.
//
// Inference: Cordial publishes its base URL per host both with and without
// the "/v2/" suffix (https://api.cordial.io/v2/). Resource paths here carry
// "v2/" themselves, so New drops a trailing "/v2/" from a configured base
// URL rather than calling ".../v2/v2/accountlists".
//
// Inference: GET v2/accountlists?name= may answer an unknown name with 404
// RECORD_NOT_FOUND (the spec lists that 404) instead of `[]`; Lists treats
// that 404 as an empty result. A 404 without that key or message (an
// unknown path) is still an error.
//
// Inference: the v2 spec says GET v2/accountlists/{id} returns one object
// while the v1 spec says an array, and PUT returns an array; the client
// accepts either shape for both. An empty PUT array is read as "updated as
// sent".
//
// Inference: the spec types the created id as "number"; ids are decoded
// from integral JSON numbers or digit strings.
//
// Inference: list names are validated locally (ValidListName) with the
// rule in NOTES.md (letters, digits, dashes, underscores, 1..128
// characters, "cid" reserved in any letter case; ASCII letters only). The
// client methods themselves do not validate, so Cordial stays the judge
// and its 422 reaches the caller as KindBadInput.
package cordial
