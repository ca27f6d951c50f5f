package graphqlhttp

import (
	"encoding/json"
	"net/http"
	"strings"
)

// documentIDPrefix marks a documentId that is the SHA-256 (hex) of the
// document, as GraphQL over HTTP's persisted documents appendix writes it
// and GraphQL Code Generator's client preset sends it
// ({"documentId":"sha256:…"}).
const documentIDPrefix = "sha256:"

// persistedHash is the extensions.persistedQuery.sha256Hash a documentId
// stands for: the hash without its "sha256:" prefix, or the id as given
// (a custom id, or a bare hash, which a manifest may hold as its key).
func persistedHash(documentID string) string {
	return strings.TrimPrefix(documentID, documentIDPrefix)
}

// persistedExtensions returns the request's extensions with
// persistedQuery naming documentID, in the shape of Apollo's automatic
// persisted queries, which the persisted-query extension (APQ or the
// safelist) already serves. Rewriting documentId into it, rather than
// teaching each layer a second spelling, keeps one path for a document
// sent by id: lookup, safelist, HTTP caching and idempotency's view of the
// mutation.
func persistedExtensions(ext json.RawMessage, documentID string) (json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	if len(ext) > 0 && string(ext) != "null" {
		if err := json.Unmarshal(ext, &fields); err != nil {
			return nil, err
		}
	}
	pq, err := json.Marshal(map[string]any{"version": 1, "sha256Hash": persistedHash(documentID)})
	if err != nil {
		return nil, err
	}
	fields["persistedQuery"] = pq
	return json.Marshal(fields)
}

// withDocumentID rewrites a POST body carrying documentId (already checked
// by postParams: a string, without query or persistedQuery) into one
// carrying extensions.persistedQuery.
func withDocumentID(body []byte, documentID string) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	ext, err := persistedExtensions(fields["extensions"], documentID)
	if err != nil {
		return nil, err
	}
	delete(fields, "documentId")
	delete(fields, "query") // null or "": gqlgen reads the hash alone
	fields["extensions"] = ext
	return json.Marshal(fields)
}

// getWithDocumentID does the same for a GET's query string.
func getWithDocumentID(r *http.Request, documentID string) error {
	q := r.URL.Query()
	ext, err := persistedExtensions(json.RawMessage(q.Get("extensions")), documentID)
	if err != nil {
		return err
	}
	q.Del("documentId")
	q.Del("query")
	q.Set("extensions", string(ext))
	r.URL.RawQuery = q.Encode()
	return nil
}

// documentIDConflict is the message for a request that names its document
// twice; "" when it does not.
func (p *requestParams) documentIDConflict() string {
	switch {
	case p.documentID == "":
		return ""
	case p.Query != "":
		return "send either query or documentId, not both"
	case p.persisted:
		return "send either documentId or extensions.persistedQuery, not both"
	}
	return ""
}
