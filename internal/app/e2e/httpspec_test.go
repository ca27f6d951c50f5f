package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	mediaJSON     = "application/json"
	mediaGQLResp  = "application/graphql-response+json"
	getPreflight  = "Apollo-Require-Preflight"
	unknownField  = `{ 8f31403dfe404bccbb0e835f2629c6a7 }`
	coercionQuery = `query($id: ID!) { customer(id: $id) { name } }`
)

// The GraphQL-over-HTTP behaviours that CI's graphql-http audit checks
// (ci/http-audit), held here too so that they stay without Node: content
// negotiation, request errors as 400 without data under
// graphql-response+json and as 200 under application/json, GET for
// queries only, and 405, 406 and 415 where they are due.
func TestGraphQLOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := func(query string, vars map[string]any) string {
		b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		require.NoError(t, err)
		return string(b)
	}
	get := func(params map[string]string) string {
		v := url.Values{}
		for k, s := range params {
			v.Set(k, s)
		}
		return "?" + v.Encode()
	}
	cases := []struct {
		name   string
		method string
		target string // appended to /query
		ct     string // Content-Type of a POST
		body   string
		accept string
		status int
		media  string // the response's media type
		code   string // the first error's extensions.code; "" for none
		noData bool   // the response must have no data key
		allow  string // the Allow header, for 405
	}{
		// Content negotiation.
		{name: "no Accept means application/json", method: "POST", body: body(`{ __typename }`, nil), status: 200, media: mediaJSON},
		{name: "*/* means application/json", method: "POST", body: body(`{ __typename }`, nil), accept: "*/*", status: 200, media: mediaJSON},
		{name: "application/* means application/json", method: "POST", body: body(`{ __typename }`, nil), accept: "application/*", status: 200, media: mediaJSON},
		{name: "application/json", method: "POST", body: body(`{ __typename }`, nil), accept: mediaJSON, status: 200, media: mediaJSON},
		{name: "graphql-response+json", method: "POST", body: body(`{ __typename }`, nil), accept: mediaGQLResp, status: 200, media: mediaGQLResp},
		{name: "listed first wins a tie", method: "POST", body: body(`{ __typename }`, nil), accept: mediaGQLResp + ", " + mediaJSON, status: 200, media: mediaGQLResp},
		{name: "q-values win over order", method: "POST", body: body(`{ __typename }`, nil), accept: mediaJSON + ";q=0.5, " + mediaGQLResp, status: 200, media: mediaGQLResp},
		{name: "GET negotiates too", method: "GET", target: get(map[string]string{"query": `{ __typename }`}), accept: mediaGQLResp, status: 200, media: mediaGQLResp},
		{name: "406 for an unacceptable Accept", method: "POST", body: body(`{ __typename }`, nil), accept: "text/html", status: 406, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "406 when JSON is refused with q=0", method: "POST", body: body(`{ __typename }`, nil), accept: "application/xml, */*;q=0", status: 406, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "406 for @defer without multipart", method: "POST", body: body(`{ customers(first: 1) { nodes { name ... @defer { person { id } } } } }`, nil), accept: mediaJSON, status: 406, media: mediaJSON, code: "BAD_REQUEST", noData: true},

		// Request errors: 400 without data under graphql-response+json,
		// 200 without data under application/json.
		{name: "parse failure, graphql-response+json", method: "POST", body: body(`{`, nil), accept: mediaGQLResp, status: 400, media: mediaGQLResp, code: "GRAPHQL_PARSE_FAILED", noData: true},
		{name: "validation failure, graphql-response+json", method: "POST", body: body(unknownField, nil), accept: mediaGQLResp, status: 400, media: mediaGQLResp, code: "GRAPHQL_PARSE_FAILED", noData: true},
		{name: "unknown field, graphql-response+json", method: "POST", body: body(`{ nope }`, nil), accept: mediaGQLResp, status: 400, media: mediaGQLResp, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "variable coercion failure, graphql-response+json", method: "POST", body: body(coercionQuery, map[string]any{"id": nil}), accept: mediaGQLResp, status: 400, media: mediaGQLResp, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "unknown operationName, graphql-response+json", method: "POST", body: `{"query":"query A { __typename }","operationName":"B"}`, accept: mediaGQLResp, status: 400, media: mediaGQLResp, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "GET parse failure, graphql-response+json", method: "GET", target: get(map[string]string{"query": `{`}), accept: mediaGQLResp, status: 400, media: mediaGQLResp, code: "GRAPHQL_PARSE_FAILED", noData: true},
		{name: "parse failure, application/json", method: "POST", body: body(`{`, nil), accept: mediaJSON, status: 200, media: mediaJSON, code: "GRAPHQL_PARSE_FAILED", noData: true},
		{name: "unknown field, application/json", method: "POST", body: body(`{ nope }`, nil), accept: mediaJSON, status: 200, media: mediaJSON, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "variable coercion failure, application/json", method: "POST", body: body(coercionQuery, map[string]any{"id": nil}), status: 200, media: mediaJSON, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "body not JSON", method: "POST", body: `{ "not a JSON`, accept: mediaGQLResp, status: 400, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "no query", method: "POST", body: `{"qeury":"{ __typename }"}`, status: 400, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "query not a string", method: "POST", body: `{"query":["{ __typename }"]}`, status: 400, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "variables not an object", method: "POST", body: `{"query":"{ __typename }","variables":"{}"}`, status: 400, media: mediaJSON, code: "BAD_REQUEST", noData: true},

		// GET is for queries; its variables and extensions are JSON strings.
		{name: "GET with variables and extensions", method: "GET", target: get(map[string]string{
			"query":     `query Type($name: String!) { __type(name: $name) { name } }`,
			"variables": `{"name":"Customer"}`, "extensions": `{"some":"value"}`, "operationName": "Type",
		}), status: 200, media: mediaJSON},
		{name: "GET with variables not JSON", method: "GET", target: get(map[string]string{"query": `{ __typename }`, "variables": `name=x`}), status: 400, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "GET with extensions not an object", method: "GET", target: get(map[string]string{"query": `{ __typename }`, "extensions": `[1]`}), status: 400, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "GET mutation", method: "GET", target: get(map[string]string{"query": `mutation { deleteAccountList(id: "1") { success } }`}), accept: mediaGQLResp, status: 405, media: mediaJSON, code: "BAD_REQUEST", noData: true, allow: "POST"},
		{name: "GET picks the mutation by name", method: "GET", target: get(map[string]string{"query": `query A { __typename } mutation B { deleteAccountList(id: "1") { success } }`, "operationName": "B"}), status: 405, media: mediaJSON, code: "BAD_REQUEST", noData: true, allow: "POST"},
		{name: "GET picks the query by name", method: "GET", target: get(map[string]string{"query": `query A { __typename } mutation B { deleteAccountList(id: "1") { success } }`, "operationName": "A"}), status: 200, media: mediaJSON},

		// Methods and content types.
		{name: "PUT", method: "PUT", ct: mediaJSON, body: body(`{ __typename }`, nil), status: 405, media: mediaJSON, code: "BAD_REQUEST", noData: true, allow: "GET, POST, OPTIONS"},
		{name: "text/plain", method: "POST", ct: "text/plain", body: body(`{ __typename }`, nil), status: 415, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "no content type", method: "POST", ct: "-", body: body(`{ __typename }`, nil), status: 415, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "application/graphql", method: "POST", ct: "application/graphql", body: `{ __typename }`, status: 415, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "JSON in Latin-1", method: "POST", ct: "application/json; charset=iso-8859-1", body: body(`{ __typename }`, nil), status: 415, media: mediaJSON, code: "BAD_REQUEST", noData: true},
		{name: "JSON in UTF-8", method: "POST", ct: "application/json; charset=utf-8", body: body(`{ __type(name: "Run🏃Swim🏊") { name } }`, nil), status: 200, media: mediaJSON},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.Server.URL+"/query"+tc.target, strings.NewReader(tc.body))
			require.NoError(t, err)
			switch {
			case tc.ct == "-":
			case tc.ct != "":
				req.Header.Set("Content-Type", tc.ct)
			case tc.method == http.MethodPost:
				req.Header.Set("Content-Type", mediaJSON)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			// What a compliant non-browser client sends, so that CSRF
			// prevention lets GETs and odd content types through to the
			// checks under test.
			req.Header.Set(getPreflight, "true")
			r := e.Send(req)

			assert.Equal(t, tc.status, r.Status, r.Raw)
			assert.Equal(t, tc.media, mediaType(r.Header.Get("Content-Type")), r.Raw)
			keys := topLevelKeys(t, r.Raw)
			if tc.code == "" {
				assert.Empty(t, r.Errors, r.Raw)
				assert.Contains(t, keys, "data", r.Raw)
			} else {
				require.NotEmpty(t, r.Errors, r.Raw)
				assert.Equal(t, tc.code, r.Errors[0].Extensions["code"], r.Raw)
			}
			if tc.noData {
				assert.NotContains(t, keys, "data", "a request error has no data entry: %s", r.Raw)
			}
			if tc.allow != "" {
				assert.Equal(t, tc.allow, r.Header.Get("Allow"))
			}
		})
	}
	assert.Empty(t, e.Calls("cordial"), "no mutation ran")
}

// The operation's result is unchanged by the negotiated type: only the
// media type differs.
func TestGraphQLOverHTTPSameResultEitherType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := `{ customers(first: 2) { nodes { name } } }`
	var bodies []string
	for _, accept := range []string{"", mediaJSON, mediaGQLResp} {
		b, err := json.Marshal(map[string]any{"query": q})
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/query", bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Content-Type", mediaJSON)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		r := e.Send(req)
		require.Equal(t, 200, r.Status, r.Raw)
		require.Empty(t, r.Errors, r.Raw)
		bodies = append(bodies, r.Raw)
	}
	assert.Equal(t, bodies[0], bodies[1])
	assert.Equal(t, bodies[0], bodies[2])
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

// topLevelKeys lists the keys of a JSON object response, so that an
// absent data entry can be told from "data": null.
func topLevelKeys(t *testing.T, raw string) []string {
	t.Helper()
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(raw), &doc), "not a JSON object: %s", raw)
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	return keys
}
