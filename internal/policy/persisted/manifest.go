package persisted

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// ApolloFormat is the "format" of an Apollo persisted query manifest.
const ApolloFormat = "apollo-persisted-query-manifest"

// Manifest is a list of operations known ahead of time: the operations a
// safelist allows, each servable by its id.
//
// Two JSON formats are read:
//
//   - Apollo's persisted query manifest, as written by
//     @apollo/generate-persisted-query-manifest:
//     {"format":"apollo-persisted-query-manifest","version":1,
//     "operations":[{"id":"<sha256>","body":"query ...","name":"Q","type":"query"}]}
//   - a map of id to document, as written by GraphQL Code Generator's
//     client preset (persisted-documents.json) and Relay:
//     {"<sha256>": "query ..."}
//
// An operation is found by its id or by the SHA-256 (hex) of its body, and
// a query text is allowed when it equals a body or differs from one only in
// ignored tokens (whitespace, commas, comments).
type Manifest struct {
	byID       map[string]string   // id and sha256(body) → body
	bodies     map[string]struct{} // exact bodies
	normalized map[string]struct{} // bodies printed compactly
	count      int
}

// LoadManifest reads and parses the manifest at path.
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read persisted query manifest: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("persisted query manifest %s: %w", path, err)
	}
	return m, nil
}

// ParseManifest parses a manifest in either format. Every body must be a
// syntactically valid GraphQL document and ids must be unique.
func ParseManifest(data []byte) (*Manifest, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	m := &Manifest{byID: map[string]string{}, bodies: map[string]struct{}{}, normalized: map[string]struct{}{}}
	if rawFormat, ok := top["format"]; ok {
		var format string
		if err := json.Unmarshal(rawFormat, &format); err == nil {
			if format != ApolloFormat {
				return nil, fmt.Errorf("unknown manifest format %q (want %q or an object of id to document)", format, ApolloFormat)
			}
			return m, m.parseApollo(data)
		}
	}
	for id, raw := range top {
		var body string
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, fmt.Errorf("operation %q: the value is not a string (want an Apollo manifest or an object of id to document)", id)
		}
		if err := m.add(id, body); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Manifest) parseApollo(data []byte) error {
	var doc struct {
		Version    int `json:"version"`
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("apollo manifest: %w", err)
	}
	if doc.Version != 1 {
		return fmt.Errorf("apollo manifest version %d is not supported (want 1)", doc.Version)
	}
	for i, op := range doc.Operations {
		switch op.Type {
		case "", "query", "mutation", "subscription":
		default:
			return fmt.Errorf("operation %d (%q): unknown type %q", i, op.ID, op.Type)
		}
		if err := m.add(op.ID, op.Body); err != nil {
			return err
		}
	}
	return nil
}

// add records one operation.
func (m *Manifest) add(id, body string) error {
	if id == "" {
		return errors.New("an operation has an empty id")
	}
	if body == "" {
		return fmt.Errorf("operation %q has an empty body", id)
	}
	if prev, dup := m.byID[id]; dup && prev != body {
		return fmt.Errorf("operation id %q is used for two different documents", id)
	}
	norm, err := normalize(body)
	if err != nil {
		return fmt.Errorf("operation %q is not a valid GraphQL document: %w", id, err)
	}
	m.byID[id] = body
	// A manifest may key by "sha256:<hex>", the documentId form; the
	// gateway looks documents up by the bare hash.
	m.byID[strings.TrimPrefix(id, "sha256:")] = body
	m.byID[hashOf(body)] = body
	m.bodies[body] = struct{}{}
	m.normalized[norm] = struct{}{}
	m.count++
	return nil
}

// Len is the number of operations read.
func (m *Manifest) Len() int { return m.count }

// Lookup returns the document with this id (or this SHA-256 of its body).
func (m *Manifest) Lookup(id string) (string, bool) {
	q, ok := m.byID[id]
	return q, ok
}

// Allows reports whether query is one of the manifest's documents, up to
// ignored tokens.
func (m *Manifest) Allows(query string) bool {
	if _, ok := m.bodies[query]; ok {
		return true
	}
	norm, err := normalize(query)
	if err != nil {
		return false
	}
	_, ok := m.normalized[norm]
	return ok
}

// normalize prints a document compactly, so that whitespace, commas and
// comments do not tell two documents apart.
func normalize(query string) (string, error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithCompacted()).FormatQueryDocument(doc)
	return buf.String(), nil
}

func hashOf(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}
