package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// graphQLRequest is the POST body, decoded the way gqlgen's POST transport
// decodes it (encoding/json, numbers kept as written), so that what this
// package sees as the operation is what the executor runs.
type graphQLRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// fingerprint identifies a mutation request: the selected operation's name,
// the document re-printed compactly (so whitespace, comments and line
// breaks do not matter) and the variables as canonical JSON (object keys
// sorted, numbers as written). ok is false when the body is not a mutation
// the executor would run: not JSON, no resolvable query, a parse error, no
// operation selected, or a query or subscription.
func fingerprint(ctx context.Context, body []byte, persisted func(context.Context, string) (string, bool)) (fp string, ok bool) {
	var req graphQLRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return "", false
	}
	query := req.Query
	if query == "" {
		hash := persistedHash(req.Extensions)
		if hash == "" || persisted == nil {
			return "", false
		}
		if query, ok = persisted(ctx, hash); !ok {
			return "", false
		}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return "", false
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil || op.Operation != ast.Mutation {
		return "", false
	}
	var printed bytes.Buffer
	formatter.NewFormatter(&printed, formatter.WithCompacted()).FormatQueryDocument(doc)
	if req.Variables == nil {
		req.Variables = map[string]any{}
	}
	vars, err := json.Marshal(req.Variables)
	if err != nil {
		return "", false
	}
	h := sha256.New()
	h.Write([]byte(op.Name))
	h.Write([]byte{0})
	h.Write(printed.Bytes())
	h.Write([]byte{0})
	h.Write(vars)
	return hex.EncodeToString(h.Sum(nil)), true
}

// persistedHash is extensions.persistedQuery.sha256Hash, as gqlgen's APQ
// extension reads it.
func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	return hash
}
