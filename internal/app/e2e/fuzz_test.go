package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/graphqlhttp"
	"github.com/switchyard/switchyard/internal/policy/logging"
)

// FuzzQueryRequest sends arbitrary requests to /query of a gateway wired
// to the sandbox simulators: POST bodies and content types, GET query
// strings (encoded, or raw bytes), other methods, and the headers a client
// controls. Whatever arrives, the gateway answers without a 5xx (nothing
// here is faulty, so not even 502/503/504) and with a GraphQL JSON body,
// "data" or a non-empty "errors" (always "errors" for a non-200), every
// error with a message and an extensions.code, and no sandbox credential
// appears in the response or the log. The seeds run in
// `go test ./...`; a longer run is
//
//	go test -run '^$' -fuzz '^FuzzQueryRequest$' -fuzztime 5m ./internal/app/e2e
//
// mode picks the request shape: bits 0-1 the method (POST, GET with an
// encoded query string, GET with raw as its query string, or another
// method by bits 4-6), bit 2 pads a POST body past graphqlhttp.MaxBodyBytes,
// bit 3 hides a POST body's length (as a chunked upload does), bit 7 adds
// Apollo-Require-Preflight, without which CSRF prevention refuses every
// GET before gqlgen sees it.
func FuzzQueryRequest(f *testing.F) {
	type seed struct {
		mode                          uint8
		contentType                   string
		body                          string
		query, variables, opName, raw string
		accept, idemKey, authz        string
	}
	post := func(body string) seed { return seed{mode: 0, contentType: "application/json", body: body} }
	get := func(q, vars, op string) seed { return seed{mode: 1 | 128, query: q, variables: vars, opName: op} }
	gqlBody := func(q string, vars any) string {
		b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		return string(b)
	}
	deepQuery := strings.Repeat("{ a ", 300) + strings.Repeat("}", 300)
	deepVars := `{"v":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`
	aliases := "{"
	for i := 0; i < 500; i++ {
		aliases += " a" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ": __typename"
	}
	aliases += " }"

	seeds := []seed{
		post(gqlBody(gateway.DefaultQuery, nil)),
		post(gqlBody(`{ accountLists { id name enhanced } }`, nil)),
		post(gqlBody(`query($id: ID!) { customer(id: $id) { name primaryEmail } }`, map[string]any{"id": "1001"})),
		post(gqlBody(`{ people(refs: [{email: "ada.lovelace@example.com"}, {id: "00650c1e8a2f4b6d3e9a1c00"}]) { id subscriptions { audienceName subscribed } } }`, nil)),
		post(gqlBody(`{ accounts(first: 2, orderBy: {field: NAME}) { totalCount nodes { id name } } }`, nil)),
		post(gqlBody(`mutation { createAccountList(input: {name: "fuzz_list", enhanced: true}) { id name } }`, nil)),
		post(gqlBody(`mutation($id: ID!) { deleteCustomer(id: $id, dryRun: true) { id dryRun } }`, map[string]any{"id": "1003"})),
		post(gqlBody(`mutation { archiveAccounts(input: {inclusionIds: ["x"]}) { archivedAccounts } }`, nil)),
		post(gqlBody(`query A { __typename } query B { gateway { version } }`, nil)),
		post(`{"query":"query A { __typename } query B { __typename }","operationName":"B"}`),
		post(`{"query":"query A { __typename }","operationName":"Nope"}`),
		post(gqlBody(`{ __schema { queryType { name } types { name kind } } }`, nil)),
		post(gqlBody(`{ customer(id: "abc") { name } }`, nil)),
		post(gqlBody(`{ accountList(id: "9223372036854775808") { name } }`, nil)),
		post(gqlBody(`{ nope }`, nil)),
		post(gqlBody(`{`, nil)),
		post(gqlBody(deepQuery, nil)),
		post(gqlBody(aliases, nil)),
		post(`{"query":"query($v: [[Int]]) { __typename }","variables":` + deepVars[5:]),
		post(`{"query":"{ __typename }","variables":{"big":"` + strings.Repeat("x", 100<<10) + `"}}`),
		post(`{"query": "{ accountLists { id } }"`),
		post(`{"query": 5}`),
		post(`{"query":"{ __typename }","variables":"not an object"}`),
		post(`{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`),
		post(`[{"query":"{ __typename }"}]`),
		post(`null`),
		post(``),
		post("\xff\xfe{\"query\":\"{ __typename }\"}"),
		{mode: 0, contentType: "application/json; charset=utf-8", body: gqlBody(`{ __typename }`, nil)},
		{mode: 0, contentType: "application/graphql-response+json", body: gqlBody(`{ __typename }`, nil)},
		{mode: 0, contentType: "text/plain", body: gqlBody(`{ __typename }`, nil)},
		{mode: 0, contentType: "", body: gqlBody(`{ __typename }`, nil)},
		{mode: 0, contentType: "application/graphql", body: `{ __typename }`},
		{mode: 0, contentType: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n--x--"},
		{mode: 0, contentType: "application/x-www-form-urlencoded", body: "query=%7B__typename%7D"},
		{mode: 0, contentType: `application/json; charset="`, body: `{}`},
		{mode: 4, contentType: "application/json", body: gqlBody(`{ __typename }`, nil)},
		{mode: 8, contentType: "application/json", body: gqlBody(`{ accountLists { name } }`, nil)},
		{mode: 12, contentType: "application/json", body: `{"query":"`},
		get(`{ accountLists { id name } }`, "", ""),
		get(`query($id: ID!) { customer(id: $id) { name } }`, `{"id":"1001"}`, ""),
		get(`query Q { __typename }`, `{}`, "Q"),
		get(`mutation { deleteAccountList(id: "3", dryRun: true) { dryRun } }`, "", ""),
		get(`query A { __typename } mutation B { clearAccountList(id: "2", dryRun: true) { dryRun } }`, "", "B"),
		get(`query($a: [Int]) { __typename }`, `{"a":[1,2],"b":{"c":null}}`, ""),
		get(`subscription { __typename }`, "", ""),
		get(``, "", ""),
		{mode: 2 | 128, raw: "query=%7B__typename%7D&variables=%7B%7D"},
		{mode: 2 | 128, raw: "query=mutation%7BdeleteAccount(input:%7BaccountId:%22x%22%7D)%7Bsuccess%7D%7D"},
		{mode: 2 | 128, raw: "query=%7B__typename%7D&query=%7Bgateway%7Bversion%7D%7D"},
		{mode: 2 | 128, raw: "query=%7B__typename%7D&x=%25&extensions=%7B%7D"},
		{mode: 2, raw: "query=%7B__typename%7D"},
		{mode: 3 | 0<<4, body: ``},   // OPTIONS
		{mode: 3 | 1<<4, body: `{}`}, // PUT
		{mode: 3 | 2<<4, body: ``},   // DELETE
		{mode: 3 | 3<<4, body: ``},   // HEAD
		{mode: 3 | 4<<4, body: `{}`}, // PATCH
		{mode: 3 | 5<<4, body: `{}`}, // made-up method
		{mode: 1 | 128, query: `{ __typename }`, accept: "application/graphql-response+json"},
		{mode: 1 | 128, query: `{ __typename }`, accept: "text/html"},
		{mode: 1, query: `{ __typename }`},
		{mode: 0, contentType: "application/json", body: gqlBody(`{ __typename }`, nil), accept: "application/xml;q=1, */*;q=0"},
		{mode: 0, contentType: "application/json", body: gqlBody(`mutation { createAccountList(input: {name: "idem_list"}) { id } }`, nil), idemKey: "fuzz-key-1"},
		{mode: 0, contentType: "application/json", body: gqlBody(`{ __typename }`, nil), idemKey: strings.Repeat("k", 300)},
		{mode: 0, contentType: "application/json", body: gqlBody(`{ accountLists { id } }`, nil), authz: "Bearer not-a-token"},
		{mode: 0, contentType: "application/json", body: gqlBody(`{ accountLists { id } }`, nil), authz: "Basic c2FuZGJveDp4"},
		{mode: 1 | 128, query: `{ gateway { version vendors { name configured simulated } } }`, authz: "Bearer eyJhbGciOiJub25lIn0.e30."},
	}
	for _, s := range seeds {
		f.Add(s.mode, s.contentType, []byte(s.body), s.query, s.variables, s.opName, s.raw, s.accept, s.idemKey, s.authz)
	}

	creds := sandbox.Credentials()
	logScan := &fzLogScan{creds: creds}
	e := newEnv(f, func(s *gatewaytest.Setup) {
		// As gatewaytest.Start does: the production handler, no secret registered.
		s.Options.Logger = slog.New(logging.NewHandler(slog.NewTextHandler(logScan, &slog.HandlerOptions{Level: slog.LevelDebug})))
	})
	h := e.Server.Config.Handler
	methods := []string{http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodHead, http.MethodPatch, "BREW", http.MethodConnect, http.MethodTrace}

	f.Fuzz(func(t *testing.T, mode uint8, contentType string, body []byte, query, variables, opName, raw, accept, idemKey, authz string) {
		target, rawQuery := "/query", ""
		var method string
		switch mode & 3 {
		case 0:
			method = http.MethodPost
		case 1:
			method = http.MethodGet
			v := url.Values{}
			for k, s := range map[string]string{"query": query, "variables": variables, "operationName": opName} {
				if s != "" {
					v.Set(k, s)
				}
			}
			rawQuery = v.Encode()
		case 2:
			method = http.MethodGet
		case 3:
			method = methods[int(mode>>4)%len(methods)]
		}
		if mode&3 != 1 {
			rawQuery = fzURLSafe(raw)
		}
		if method == http.MethodPost && mode&4 != 0 {
			body = append(body[:len(body):len(body)], bytes.Repeat([]byte(" "), graphqlhttp.MaxBodyBytes+1-len(body)%graphqlhttp.MaxBodyBytes)...)
		}
		req := httptest.NewRequest(method, target, bytes.NewReader(body))
		req.URL.RawQuery = rawQuery
		if rawQuery != "" {
			req.RequestURI = target + "?" + rawQuery
		}
		if mode&8 != 0 {
			req.ContentLength = -1 // length unknown, as with a chunked upload
		}
		for k, v := range map[string]string{"Content-Type": contentType, "Accept": accept, "Idempotency-Key": idemKey, "Authorization": authz} {
			// A value a real server would refuse to parse never reaches
			// the handler; everything else does.
			if v != "" && fzHeaderValueOK(v) {
				req.Header.Set(k, v)
			}
		}

		if mode&128 != 0 {
			req.Header.Set("Apollo-Require-Preflight", "true")
		}

		rec := httptest.NewRecorder()
		logScan.reset()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		out, err := io.ReadAll(res.Body)
		require.NoError(t, err)

		require.Less(t, res.StatusCode, 500, "no vendor is faulty, so no 5xx: %s", out)
		sent := strings.Join([]string{rawQuery, query, variables, opName, contentType, string(body), accept, idemKey, authz}, "\n")
		for name, cred := range creds {
			if !strings.Contains(sent, cred) {
				assert.NotContains(t, logScan.found(), name, "%s leaked into the log", name)
				assert.NotContains(t, string(out), cred, "%s leaked into the body", name)
				for k, vs := range res.Header {
					assert.NotContains(t, strings.Join(vs, " "), cred, "%s leaked into header %s", name, k)
				}
			}
		}
		if method == http.MethodOptions && res.StatusCode < 300 || method == http.MethodHead {
			return // no body is due
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "multipart/mixed") {
			// Incremental delivery the client asked for; each part is
			// checked by the @defer tests.
			require.Equal(t, http.StatusOK, res.StatusCode)
			return
		}
		require.Contains(t, res.Header.Get("Content-Type"), "json", "status %d: %s", res.StatusCode, out)
		var doc struct {
			Data   *json.RawMessage `json:"data"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		require.NoError(t, dec.Decode(&doc), "status %d: not a JSON object: %s", res.StatusCode, out)
		if res.StatusCode != http.StatusOK {
			require.NotEmpty(t, doc.Errors, "status %d without errors: %s", res.StatusCode, out)
		}
		require.True(t, doc.Data != nil || len(doc.Errors) > 0, "neither data nor errors: %s", out)
		for _, ge := range doc.Errors {
			assert.NotEmpty(t, ge.Message, "an error without a message: %s", out)
			code, _ := ge.Extensions["code"].(string)
			assert.NotEmpty(t, code, "status %d: an error without extensions.code: %s", res.StatusCode, out)
		}
	})
}

// fzHeaderValueOK reports whether net/http would accept v as a header
// value on the wire: no control characters other than tab.
func fzHeaderValueOK(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// fzURLSafe keeps a raw query string to what a request line can carry:
// no spaces, controls, '#' or non-ASCII bytes (those are percent-encoded
// on the wire).
func fzURLSafe(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// fzLogScan is the gateway's log output, kept only as the names of the
// sandbox credentials that appeared in it since the last reset: a long
// fuzz run must not hold every log line in memory.
type fzLogScan struct {
	creds map[string]string
	mu    sync.Mutex
	hits  []string
}

func (s *fzLogScan) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, cred := range s.creds {
		if bytes.Contains(p, []byte(cred)) {
			s.hits = append(s.hits, name)
		}
	}
	return len(p), nil
}

func (s *fzLogScan) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits = nil
}

func (s *fzLogScan) found() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}
