package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/base/simkit"
)

// deferQuery returns Apptivo customers at once and defers their Ortto
// subscriptions, as in the README.
const deferQuery = `{
  customers(first: 3) {
    nodes {
      name
      ... @defer { person { subscriptions { audienceName subscribed } } }
    }
  }
}`

// With Ortto slow, the customers come in the first part of a
// multipart/mixed response, before Ortto has answered, and their
// subscriptions in a later part.
func TestDeferSlowVendor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Long enough that the first part is surely read while Ortto is still
	// sleeping; well inside the vendor timeout.
	e.Sandbox.Faults.Set(simkit.Fault{Vendor: "ortto", LatencyMs: 800})

	resp := postDeferring(t, e, deferQuery, "multipart/mixed; deferSpec=20220824, application/json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "a stream is never kept, as the README says")
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	require.NoError(t, err, resp.Header.Get("Content-Type"))
	require.Equal(t, "multipart/mixed", mt)
	assert.Equal(t, "20220824", params["deferspec"], "mime lower-cases parameter names")
	require.NotEmpty(t, params["boundary"])
	parts := multipart.NewReader(resp.Body, params["boundary"])

	// The first part: every customer's name, no person yet.
	var first struct {
		Data struct {
			Customers struct {
				Nodes []map[string]json.RawMessage `json:"nodes"`
			} `json:"customers"`
		} `json:"data"`
		Errors  []gatewaytest.Error `json:"errors"`
		HasNext bool                `json:"hasNext"`
	}
	raw := readPart(t, parts)
	require.NotNil(t, raw, "no first part")
	require.NoError(t, json.Unmarshal(raw, &first), string(raw))
	assert.Empty(t, e.Calls("ortto"), "the first part must come before Ortto has answered")
	assert.Empty(t, first.Errors, string(raw))
	assert.True(t, first.HasNext, "more parts are announced: %s", raw)
	require.Len(t, first.Data.Customers.Nodes, 3, string(raw))
	for _, n := range first.Data.Customers.Nodes {
		var name string
		require.NoError(t, json.Unmarshal(n["name"], &name))
		assert.NotEmpty(t, name, string(raw))
		// The incremental delivery proposal leaves a deferred field out
		// of the initial payload (gqlgen alone writes it as null, which a
		// client takes for a resolved null); it comes in a later part.
		assert.NotContains(t, n, "person", "person arrives later and is absent until then: %s", raw)
	}

	// The later parts: each customer's subscriptions, at its path.
	type incremental struct {
		Data struct {
			Person *struct {
				Subscriptions []struct {
					AudienceName string `json:"audienceName"`
					Subscribed   bool   `json:"subscribed"`
				} `json:"subscriptions"`
			} `json:"person"`
		} `json:"data"`
		Path   []any               `json:"path"`
		Errors []gatewaytest.Error `json:"errors"`
	}
	got := map[float64]incremental{}
	hasNext, later := true, 0
	for raw := readPart(t, parts); raw != nil; raw = readPart(t, parts) {
		later++
		var part struct {
			Incremental []incremental `json:"incremental"`
			HasNext     bool          `json:"hasNext"`
		}
		require.NoError(t, json.Unmarshal(raw, &part), string(raw))
		require.NotEmpty(t, part.Incremental, "a later part carries incremental results: %s", raw)
		for _, inc := range part.Incremental {
			require.Len(t, inc.Path, 3, string(raw))
			assert.Equal(t, []any{"customers", "nodes"}, inc.Path[:2], string(raw))
			got[inc.Path[2].(float64)] = inc
		}
		hasNext = part.HasNext
	}
	assert.GreaterOrEqual(t, later, 1, "the subscriptions come in a later part")
	assert.False(t, hasNext, "the last part ends the response")
	require.Len(t, got, 3, "one incremental result per customer")
	for i, inc := range got {
		assert.Empty(t, inc.Errors, "customer %v", i)
		require.NotNil(t, inc.Data.Person, "customer %v has an Ortto person", i)
		require.NotEmpty(t, inc.Data.Person.Subscriptions, "customer %v", i)
		for _, s := range inc.Data.Person.Subscriptions {
			assert.NotEmpty(t, s.AudienceName, "customer %v", i)
		}
	}
	assert.NotEmpty(t, e.Calls("ortto"), "the subscriptions came from Ortto")
}

// Without the multipart Accept header, a deferring operation is refused
// with 406 and told what to send, rather than answered with its deferred
// fields silently missing.
func TestDeferNeedsMultipart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(deferQuery, nil)
	assert.Equal(t, http.StatusNotAcceptable, r.Status, r.Raw)
	require.Equal(t, []string{"BAD_REQUEST"}, r.Codes(), r.Raw)
	assert.Contains(t, r.Errors[0].Message, "multipart/mixed; deferSpec=20220824")
	assert.Empty(t, e.Calls("apptivo"), "nothing ran")

	// @defer(if: false) defers nothing, so a single result will do.
	r = e.Query(`query($d: Boolean!) { customers(first: 1) { nodes { name ... @defer(if: $d) { person { id } } } } }`, map[string]any{"d": false})
	assert.Equal(t, http.StatusOK, r.Status, r.Raw)
	assert.Empty(t, r.Errors, r.Raw)
	assert.Contains(t, string(r.Data), `"person":{"id":`)
}

// readPart returns the body of the next part, or nil at the end.
func readPart(t *testing.T, r *multipart.Reader) []byte {
	t.Helper()
	p, err := r.NextPart()
	if errors.Is(err, io.EOF) {
		return nil
	}
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, "application/json", p.Header.Get("Content-Type"))
	b, err := io.ReadAll(p)
	require.NoError(t, err)
	return b
}

// A deferring operation gets multipart/mixed whenever the client accepts
// it, whatever it prefers (GraphiQL lists it last), and 406 when it does
// not or cannot (GET); an operation that defers nothing is negotiated as
// usual.
func TestDeferNegotiation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	deferring := `{ customers(first: 1) { nodes { name ... @defer { person { id } } } } }`
	cases := []struct {
		name, method, query, accept string
		status                      int
		media                       string
	}{
		{"GraphiQL's Accept", "POST", deferring, "application/graphql-response+json, application/json, multipart/mixed", 200, "multipart/mixed"},
		{"multipart alone", "POST", deferring, "multipart/mixed", 200, "multipart/mixed"},
		{"another deferSpec", "POST", deferring, "multipart/mixed; deferSpec=20230101", 406, "application/json"},
		{"multipart refused", "POST", deferring, "multipart/mixed;q=0, application/json", 406, "application/json"},
		{"wildcard is not multipart", "POST", deferring, "*/*", 406, "application/json"},
		{"GET", "GET", deferring, "multipart/mixed", 406, "application/json"},
		{"no @defer, JSON preferred", "POST", `{ __typename }`, "application/json, multipart/mixed", 200, "application/json"},
		{"no @defer, multipart preferred", "POST", `{ __typename }`, "multipart/mixed, application/json;q=0.9", 200, "multipart/mixed"},
		{"GET never multipart", "GET", `{ __typename }`, "multipart/mixed", 406, "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var req *http.Request
			var err error
			if tc.method == http.MethodGet {
				req, err = http.NewRequest(http.MethodGet, e.Server.URL+"/query?query="+url.QueryEscape(tc.query), nil)
				require.NoError(t, err)
				req.Header.Set("Apollo-Require-Preflight", "true")
			} else {
				b, jerr := json.Marshal(map[string]any{"query": tc.query})
				require.NoError(t, jerr)
				req, err = http.NewRequest(http.MethodPost, e.Server.URL+"/query", bytes.NewReader(b))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Accept", tc.accept)
			r := e.Send(req)
			assert.Equal(t, tc.status, r.Status, r.Raw)
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			require.NoError(t, err)
			assert.Equal(t, tc.media, mt, r.Raw)
			if tc.media == "multipart/mixed" {
				assert.Contains(t, r.Raw, `{"data":{`, "the result is in the parts")
			}
		})
	}
}

// The initial payload leaves out exactly the fields selected only under an
// active @defer: aliased, through a named fragment, or beside a field the
// operation also selects without @defer (which stays).
func TestDeferInitialPayloadOmitsDeferredFields(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, query   string
		present, gone []string // keys of the first customer in the first part
	}{
		{"inline fragment", `{ customers(first: 1) { nodes { name ... @defer { person { id } } } } }`, []string{"name"}, []string{"person"}},
		{"aliased", `{ customers(first: 1) { nodes { n: name p: person { id } ... @defer { later: person { id } } } } }`, []string{"n", "p"}, []string{"later"}},
		{"named fragment", `query { customers(first: 1) { nodes { id ...P @defer(label: "p") } } } fragment P on Customer { name person { id } }`, []string{"id"}, []string{"name", "person"}},
		{"also selected without @defer", `{ customers(first: 1) { nodes { name person { id } ... @defer { person { id } } } } }`, []string{"name", "person"}, nil},
		{"@defer(if: false) beside an active one", `{ customers(first: 1) { nodes { ... @defer(if: false) { name } ... @defer { person { id } } } } }`, []string{"name"}, []string{"person"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := postDeferring(t, e, tc.query, "multipart/mixed; deferSpec=20220824")
			_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			require.NoError(t, err)
			parts := multipart.NewReader(resp.Body, params["boundary"])
			raw := readPart(t, parts)
			// Read to the end: a client that hangs up mid-stream leaves
			// gqlgen's handler waiting for a deferred result that its
			// resolver dropped on the cancelled context.
			for readPart(t, parts) != nil {
			}
			var first struct {
				Data struct {
					Customers struct {
						Nodes []map[string]json.RawMessage `json:"nodes"`
					} `json:"customers"`
				} `json:"data"`
			}
			require.NoError(t, json.Unmarshal(raw, &first), string(raw))
			require.Len(t, first.Data.Customers.Nodes, 1, string(raw))
			node := first.Data.Customers.Nodes[0]
			for _, k := range tc.present {
				assert.Contains(t, node, k, string(raw))
			}
			for _, k := range tc.gone {
				assert.NotContains(t, node, k, string(raw))
			}
		})
	}
}

// postDeferring POSTs query with accept; the response body is closed when
// the test ends.
func postDeferring(t *testing.T, e *env, query, accept string) *http.Response {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/query", bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// A client that drops a @defer stream before its deferred part came does
// not leave the request running for ever: gqlgen's multipart transport
// drops a deferred result once the request's context is cancelled, then
// waits for it without end, so the handler never returned (and a graceful
// shutdown waited its whole timeout). The handler now returns once the
// deferred part is done, within the request's deadline, whether or not
// anyone still reads it.
func TestDroppedDeferStreamEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.Sandbox.Faults.Set(simkit.Fault{Vendor: "ortto", LatencyMs: 500})
	resp := postDeferring(t, e, deferQuery, "multipart/mixed; deferSpec=20220824, application/json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	require.NoError(t, err)
	first, err := multipart.NewReader(resp.Body, params["boundary"]).NextPart()
	require.NoError(t, err)
	_, err = io.ReadAll(first)
	require.NoError(t, err)
	// Gone before Ortto answers.
	require.NoError(t, resp.Body.Close())
	http.DefaultClient.CloseIdleConnections()

	closed := make(chan struct{})
	go func() {
		e.Server.Close() // waits for every handler to return
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(15 * time.Second):
		t.Fatal("the handler of the dropped @defer stream never returned")
	}
}
