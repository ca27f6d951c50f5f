package appdirect

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	graphql "github.com/hasura/go-graphql-client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
)

// The fuzz targets below feed arbitrary replies to every decoder the client
// uses. Their seeds run in `go test ./...`; a longer run is
//
//	go test -run '^$' -fuzz '^FuzzCheckResponse$' -fuzztime 5m ./vendors/appdirect
//
// (one -fuzz target per run; likewise FuzzDecodeReplies and FuzzClient).

// fzSecret is the fuzzed clients' fake client secret. It is sent only to
// the token endpoint, which the client scrubs it from; no error may show it.
const fzSecret = "KEY-SECRET-FUZZ"

// fz is what the targets check every error against: a message of bounded
// length, no secret even where the reply sent it (the shared client
// scrubs), and no URL with a query string unless the reply sent it
// (AppDirect's messages are passed on as AppDirect wrote them).
var fz = outboundtest.Vendor{
	Name:       Name,
	Secrets:    []string{fzSecret},
	Scrubbed:   true,
	MaxMessage: outbound.MaxMessage + len("…"),
	RequestURL: "https://marketplace.example.com/api/account/v2/companies/x?token=" + fzSecret,
}

// fzReplies are realistic bodies for the REST, GraphQL and token
// endpoints. "$SECRET" is replaced by FuzzClient's token endpoint with the
// client secret it received, as an echoing server would.
var fzReplies = []struct {
	status     int
	retryAfter string
	body       string
}{
	{200, "", `{"uuid":"0d3a9c6e-4c1f-4b7e-9d2a-1f0e5c3b2a10","companyId":null,"name":"Langley Flight Research","enabled":true,"address":{"street1":"1 Main","city":"Hampton","country":"US"},"creationDate":1700000000000,"links":[{"rel":"self","href":"https://x.example/api/account/v2/companies/1"}]}`},
	{200, "", `{"uuid":"u","companyId":12345,"name":null,"address":null,"creationDate":null,"links":null}`},
	{200, "", `{"companyId":"ext-9","externalId":"ext-9","website":"https://example.com?a=b"}`},
	{200, "", `{"companyId":1.5e3}`},
	{200, "", `{"data":{"accounts":{"totalCount":3,"pageInfo":{"hasNextPage":true,"hasPreviousPage":false,"startCursor":"YQ==","endCursor":"Yw=="},"nodes":[{"id":"a1","name":"Ada","status":"ACTIVE","accessTypes":["RESELLER"],"createdOn":"2024-01-02T03:04:05Z"},{"id":"a2","createdOn":1700000000000},{"id":"a3","createdOn":"2024-01-02T03:04:05.123"},{"id":"a4","createdOn":"2024-01-02"}],"edges":[{"cursor":"YQ==","node":{"id":"a1","createdOn":null}}]}}}`},
	{200, "", `{"data":{"account":{"id":"a1","name":"Ada","createdOn":"2024-01-02T03:04:05+05:30"}}}`},
	{200, "", `{"data":{"accountByExternalId":null}}`},
	{200, "", `{"data":{"account":{"id":"a1","createdOn":"last tuesday"}}}`},
	{200, "", `{"data":{"deleteAccount":{"success":true,"userErrors":[]}}}`},
	{200, "", `{"data":{"deleteAccount":{"success":false,"userErrors":[{"code":"ACCOUNT_HAS_MEMBERSHIPS","message":"Account still has memberships"}]}}}`},
	{200, "", `{"data":{"deleteAccount":{"success":false,"userErrors":[{"code":"ACCOUNT_NOT_FOUND","message":"no such account"},{"code":"X","message":"y"}]}}}`},
	{200, "", `{"data":{"deleteAccount":{"success":false}}}`},
	{200, "", `{"data":null,"errors":[{"message":"Cannot query field \"foo\"","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"},"locations":[{"line":1,"column":2}],"path":["accounts",0]}]}`},
	{200, "", `{"errors":[{"message":"forbidden","extensions":{"code":"FORBIDDEN"}},{"message":"second","extensions":{"code":7}}]}`},
	{200, "", `{"errors":[]}`},
	{200, "", `{"data":{"accounts":null}}`},
	{200, "", `{"access_token":"tok","token_type":"bearer","expires_in":3600,"scope":"ROLE_PARTNER"}`},
	{200, "", `access_token=tok&token_type=bearer&expires_in=60`},
	{200, "", `{"token_type":"bearer"}`},
	{200, "", `null`},
	{200, "", ``},
	{400, "", `{"error":"invalid_client","error_description":"Bad client credentials for $SECRET"}`},
	{401, "", `{"error":"unauthorized","error_description":"Full authentication is required to access this resource"}`},
	{403, "", `{"code":"FORBIDDEN","message":"Access is denied"}`},
	{404, "", `{"code":"NOT_FOUND","message":"Company not found: see https://x.example/help?id=1"}`},
	{422, "", `{"errors":[{"message":"Variable \"$first\" got invalid value","extensions":{"code":"BAD_USER_INPUT"}}]}`},
	{429, "30", `{"code":"TOO_MANY_REQUESTS","message":"slow down"}`},
	{429, "922337203", `{"message":"` + strings.Repeat("é", 250) + `"}`},
	{500, "", `<html><body>Internal Server Error</body></html>`},
	{502, "", `{"code":5,"message":["x"]}`},
	{503, "Wed, 21 Oct 2015 07:28:00 GMT", `{"error":{"nested":"object"}}`},
	{302, "", ``},
	{100, "", `{}`},
}

// fzScrubber is a client with the fake secret, to scrub and bound the
// errors the targets build outside a call, as the client's Do does.
func fzScrubber(tb testing.TB) *Client {
	c, err := New(Config{BaseURL: "https://marketplace.example.com/", ClientID: "fuzz-client", ClientSecret: fzSecret})
	require.NoError(tb, err)
	return c
}

// FuzzCheckResponse: checkResponse never panics; a 2xx is a success and
// anything else an error classified by status, with the code and message
// of whichever of AppDirect's error shapes the body has, bounded once
// scrubbed as the client's Do does.
func FuzzCheckResponse(f *testing.F) {
	for _, r := range fzReplies {
		f.Add(uint16(r.status), r.retryAfter, []byte(r.body))
	}
	c := fzScrubber(f)
	f.Fuzz(func(t *testing.T, code uint16, retryAfter string, body []byte) {
		status := outboundtest.Status(code)
		e := checkResponse(fz.Response(status, retryAfter), body)
		if !outboundtest.NonSuccess(t, status, e) {
			return
		}
		assert.Equal(t, outbound.KindForStatus(status), e.Kind)
		assert.Equal(t, status, e.HTTPStatus)
		assert.Equal(t, outbound.RetryableStatus(status), e.Retryable)
		e.Vendor = Name // the client's Do fills it in
		fz.CheckError(t, c.Scrub(e), body)
	})
}

// fzAccountsData is the data envelope Accounts decodes.
type fzAccountsData struct {
	Accounts *AccountConnection `json:"accounts"`
}

// FuzzDecodeReplies: every reply type decodes any bytes without panicking,
// and what decodes re-encodes stably (Company with either companyId form,
// Account with any createdOn form, the accounts and single-account data
// envelopes); a GraphQL errors array becomes one well-formed error.
func FuzzDecodeReplies(f *testing.F) {
	for _, r := range fzReplies {
		f.Add([]byte(r.body))
	}
	f.Add([]byte(`{"accounts":{"nodes":[{"id":"a","createdOn":-62135596800001}],"totalCount":null}}`))
	f.Add([]byte(`[{"message":"m","extensions":{"code":"NOT_FOUND"}},{"message":"","extensions":null}]`))
	c := fzScrubber(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var co Company
		if outbound.DecodeJSON(body, &co) == nil {
			fzRoundTrip(t, &co, &Company{})
		}
		var acc Account
		if outbound.DecodeJSON(body, &acc) == nil && fzEncodable(acc) {
			fzRoundTrip(t, &acc, &Account{})
		}
		var env fzAccountsData
		if outbound.DecodeJSON(body, &env) == nil && fzEncodable(env) {
			fzRoundTrip(t, &env, &fzAccountsData{})
		}
		var one map[string]*Account
		if outbound.DecodeJSON(body, &one) == nil && fzEncodable(one) {
			fzRoundTrip(t, &one, &map[string]*Account{})
		}

		var errs graphql.Errors
		if json.Unmarshal(body, &errs) == nil {
			err := c.Scrub(toError(opListAccounts, errs))
			require.Error(t, err)
			e := fz.CheckError(t, err, body)
			assert.Equal(t, http.StatusOK, e.HTTPStatus)
			assert.Equal(t, kindForGraphQLCode(e.Code), e.Kind)
			if len(errs) == 0 {
				assert.Empty(t, e.Message)
			}
		}
	})
}

// fzEncodable reports whether v re-encodes: a createdOn given as epoch
// milliseconds can lie outside the years JSON time supports, which is the
// encoder's limit, not a decoding fault (the gateway formats it itself).
func fzEncodable(v any) bool {
	_, err := json.Marshal(v)
	return err == nil || strings.Contains(err.Error(), "year outside of range")
}

// fzRoundTrip is outboundtest.RoundTrip but for a value outside the years
// JSON time supports (see fzEncodable).
func fzRoundTrip(t *testing.T, v, fresh any) {
	t.Helper()
	if _, err := json.Marshal(v); err != nil && strings.Contains(err.Error(), "year outside of range") {
		return
	}
	outboundtest.RoundTrip(t, v, fresh)
}

// fzRoute is FuzzClient's server route: the token endpoint answers with a
// valid token (or, in token mode, with the fuzzed reply, "$SECRET"
// replaced by the secret it received) and every other request with the
// fuzzed reply. Only the API replies count as sent: the client scrubs what
// the token endpoint says. A body that is not JSON is sent as a form.
func fzRoute(tokenMode *atomic.Bool) outboundtest.Route {
	return func(r *http.Request, reply outboundtest.Reply) (outboundtest.Reply, bool) {
		isToken := strings.HasSuffix(r.URL.Path, "/oauth2/token")
		if isToken && !tokenMode.Load() {
			return outboundtest.Reply{Status: http.StatusOK, Body: []byte(`{"access_token":"fuzz-token","token_type":"bearer","expires_in":3600}`)}, false
		}
		if isToken {
			_, secret, _ := r.BasicAuth()
			reply.Body = bytes.ReplaceAll(reply.Body, []byte("$SECRET"), []byte(secret))
		}
		if t := bytes.TrimSpace(reply.Body); len(t) == 0 || (t[0] != '{' && t[0] != '[') {
			reply.ContentType = "application/x-www-form-urlencoded"
		}
		return reply, !isToken
	}
}

// FuzzClient runs whole client calls (REST companies, GraphQL accounts
// through hasura, the deleteAccount mutation), built with the real
// constructor, against a server answering with the fuzzed status,
// Retry-After and body, or a body cut short; in token mode the token
// endpoint gives that answer, echoing the secret where the body asks. Every
// call either succeeds with a well-formed result or fails with an
// *outbound.Error that never shows the secret.
func FuzzClient(f *testing.F) {
	for i, r := range fzReplies {
		token := strings.Contains(r.body, "token") || strings.Contains(r.body, "invalid_client") || r.status == 401
		f.Add(uint8(i), uint16(r.status), r.retryAfter, []byte(r.body), i%9 == 4, token)
	}
	var tokenMode atomic.Bool // set per input, before any request
	srv := outboundtest.NewServer(f, fzRoute(&tokenMode))
	newClient := func(tb testing.TB) *Client {
		c, err := New(Config{BaseURL: srv.URL + "/mp", ClientID: "fuzz-client", ClientSecret: fzSecret, HTTPClient: srv.Client})
		require.NoError(tb, err)
		return c
	}
	shared := newClient(f)
	sel := ConnectionSelection{Fields: AccountFields, Nodes: true, Edges: true, Cursor: true, PageInfo: true, TotalCount: true}
	first := 2

	f.Fuzz(func(t *testing.T, op uint8, code uint16, retryAfter string, body []byte, truncate, token bool) {
		tokenMode.Store(token)
		srv.Answer(code, retryAfter, body, truncate)
		c := shared
		if token {
			c = newClient(t) // no cached token: the first call fetches one
		}
		ctx := context.Background()
		var err error
		switch op % 6 {
		case 0, 1:
			var co *Company
			if op%6 == 0 {
				co, err = c.GetCompany(ctx, "0d3a9c6e-4c1f-4b7e-9d2a-1f0e5c3b2a10")
			} else {
				co, err = c.GetCompanyByExternalID(ctx, "ext 1/?x")
			}
			if err == nil {
				require.NotNil(t, co)
			}
		case 2:
			var conn *AccountConnection
			if conn, err = c.Accounts(ctx, sel, AccountsArgs{First: &first}); err == nil {
				require.NotNil(t, conn)
			}
		case 3:
			_, err = c.Account(ctx, "a1", []string{"name", "createdOn"})
		case 4:
			_, err = c.AccountByExternalID(ctx, "ext-1", nil)
		case 5:
			_, err = c.DeleteAccount(ctx, "a1")
		}
		if err == nil {
			return
		}
		// Only the token endpoint ever sees the secret, and the client
		// scrubs what it says; an API reply could show it only by having
		// made it up.
		e := fz.CheckError(t, err, srv.Sent())
		if e.Operation == opFetchToken {
			assert.True(t, token, "a valid token must be used: %v", err)
			assert.NotContains(t, err.Error(), fzSecret, "secret leaked from the token reply")
		}
	})
}
