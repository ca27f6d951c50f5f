package appdirectsim_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

func newSim(t *testing.T, opts appdirectsim.Options) *appdirectsim.Server {
	t.Helper()
	s, err := appdirectsim.New(opts)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

func do(t *testing.T, method, u string, header http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func tokenRequest(t *testing.T, base, id, secret, form string) reply {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if id != "" || secret != "" {
		req, _ := http.NewRequest(http.MethodPost, base, nil)
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		h.Set("Authorization", req.Header.Get("Authorization"))
	}
	return do(t, http.MethodPost, base+"/oauth2/token", h, []byte(form))
}

func token(t *testing.T, base, scope string) string {
	t.Helper()
	r := tokenRequest(t, base, appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=client_credentials&scope="+url.QueryEscape(scope))
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	tok, _ := r.json(t)["access_token"].(string)
	require.NotEmpty(t, tok)
	return tok
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// gql posts a GraphQL request and returns the raw reply: to the preview
// endpoint when it uses deleteAccount (Preview status), else to the
// production one.
func gql(t *testing.T, base, tok, query string, vars map[string]any) reply {
	t.Helper()
	path := "/api/graphql"
	if strings.Contains(query, "deleteAccount") {
		path = "/api/graphql/preview"
	}
	return gqlAt(t, base+path, tok, query, vars)
}

func gqlAt(t *testing.T, endpoint, tok, query string, vars map[string]any) reply {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	h := bearer(tok)
	h.Set("Content-Type", "application/json")
	return do(t, http.MethodPost, endpoint, h, body)
}

// TestPreviewOperationsOnlyOnPreviewPath: deleteAccount is in Preview
// status, so the production endpoint does not know it, however the
// operation spells it; queries work on both endpoints.
func TestPreviewOperationsOnlyOnPreviewPath(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER")
	id := appdirectsim.DemoKatherineAccountID
	cases := []struct {
		name, query string
	}{
		{"plain", `mutation { deleteAccount(input: {accountId: "` + id + `"}) { success } }`},
		{"aliased", `mutation { gone: deleteAccount(input: {accountId: "` + id + `"}) { success } }`},
		{"in a fragment", `mutation { ...F } fragment F on Mutation { deleteAccount(input: {accountId: "` + id + `"}) { success } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := gqlAt(t, s.URL()+"/api/graphql", tok, tc.query, nil)
			assert.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
			var gr gqlReply
			require.NoError(t, json.Unmarshal(r.body, &gr))
			require.Len(t, gr.Errors, 1)
			assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", gr.Errors[0].Extensions["code"])
			assert.Contains(t, gr.Errors[0].Message, "deleteAccount")
			assert.Len(t, stateDoc(t, s).Accounts, 6, "nothing was deleted")
		})
	}
	r := gqlAt(t, s.URL()+"/api/graphql/preview", tok, cases[0].query, nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"data":{"deleteAccount":{"success":true}}}`, string(r.body))
	for _, p := range []string{"/api/graphql", "/api/graphql/preview"} {
		r := gqlAt(t, s.URL()+p, tok, `{ account(id: "`+appdirectsim.DemoAdaAccountID+`") { id } }`, nil)
		assert.Equal(t, http.StatusOK, r.status, p)
		assert.JSONEq(t, `{"data":{"account":{"id":"`+appdirectsim.DemoAdaAccountID+`"}}}`, string(r.body), p)
	}
}

type gqlReply struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func gqlOK(t *testing.T, base, tok, query string, vars map[string]any, v any) {
	t.Helper()
	r := gql(t, base, tok, query, vars)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var g gqlReply
	require.NoError(t, json.Unmarshal(r.body, &g))
	require.Empty(t, g.Errors, "%s", r.body)
	require.NoError(t, json.Unmarshal(g.Data, v))
}

func gqlErrors(t *testing.T, r reply) gqlReply {
	t.Helper()
	var g gqlReply
	require.NoError(t, json.Unmarshal(r.body, &g), "%s", r.body)
	require.NotEmpty(t, g.Errors, "%s", r.body)
	return g
}

func TestTokenEndpoint(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	base := s.URL()

	r := tokenRequest(t, base, appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=client_credentials&scope=ROLE_PARTNER")
	require.Equal(t, http.StatusOK, r.status)
	m := r.json(t)
	assert.Equal(t, "bearer", m["token_type"])
	assert.EqualValues(t, 43199, m["expires_in"])
	assert.Equal(t, "ROLE_PARTNER", m["scope"])
	assert.NotEmpty(t, m["access_token"])
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))

	cases := []struct {
		name, id, secret, form string
		status                 int
		errCode                string
	}{
		{"bad secret", appdirectsim.ClientID, "wrong", "grant_type=client_credentials", 401, "invalid_client"},
		{"unknown client", "someone", appdirectsim.ClientSecret, "grant_type=client_credentials", 401, "invalid_client"},
		{"no credentials", "", "", "grant_type=client_credentials", 401, "invalid_client"},
		{"wrong grant", appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=password", 400, "unsupported_grant_type"},
		{"missing grant", appdirectsim.ClientID, appdirectsim.ClientSecret, "scope=ROLE_PARTNER", 400, "invalid_request"},
		{"scope not allowed", appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=client_credentials&scope=ROLE_SYS_ADMIN", 400, "invalid_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenRequest(t, base, tc.id, tc.secret, tc.form)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			m := r.json(t)
			assert.Equal(t, tc.errCode, m["error"])
			assert.NotEmpty(t, m["error_description"])
			assert.NotContains(t, string(r.body), appdirectsim.ClientSecret)
		})
	}
	t.Run("bad credentials body is AppDirect's", func(t *testing.T) {
		r := tokenRequest(t, base, appdirectsim.ClientID, "wrong", "grant_type=client_credentials")
		assert.JSONEq(t, `{"error":"invalid_client","error_description":"Bad client credentials"}`, string(r.body))
	})
	t.Run("read scope and default scope", func(t *testing.T) {
		r := tokenRequest(t, base, appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=client_credentials&scope=ROLE_PARTNER_READ")
		assert.Equal(t, "ROLE_PARTNER_READ", r.json(t)["scope"])
		r = tokenRequest(t, base, appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=client_credentials")
		assert.Equal(t, "ROLE_PARTNER", r.json(t)["scope"])
	})
	t.Run("GET is 405", func(t *testing.T) {
		r := do(t, http.MethodGet, base+"/oauth2/token", nil, nil)
		assert.Equal(t, http.StatusMethodNotAllowed, r.status)
		assert.Equal(t, "METHOD_NOT_ALLOWED", r.json(t)["code"])
	})
}

func TestCustomCredentials(t *testing.T) {
	s := newSim(t, appdirectsim.Options{ClientID: "my-client", ClientSecret: "my secret/+"})
	r := tokenRequest(t, s.URL(), "my-client", "my secret/+", "grant_type=client_credentials")
	assert.Equal(t, http.StatusOK, r.status, "form-encoded Basic credentials are decoded: %s", r.body)
	r = tokenRequest(t, s.URL(), appdirectsim.ClientID, appdirectsim.ClientSecret, "grant_type=client_credentials")
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

func TestAPIRequiresBearerToken(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	base := s.URL()
	company := base + "/api/account/v2/companies/" + appdirectsim.DemoAdaAccountID
	gqlBody := []byte(`{"query":"{ account(id: \"x\") { id } }"}`)
	jsonCT := http.Header{"Content-Type": {"application/json"}}

	cases := []struct {
		name    string
		auth    string
		errCode string
	}{
		{"missing", "", "unauthorized"},
		{"not bearer", "Basic Zm9vOmJhcg==", "unauthorized"},
		{"forged", "Bearer not-a-token", "invalid_token"},
		{"tampered", "Bearer " + token(t, base, "ROLE_PARTNER") + "x", "invalid_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.auth != "" {
				h.Set("Authorization", tc.auth)
			}
			r := do(t, http.MethodGet, company, h, nil)
			assert.Equal(t, http.StatusUnauthorized, r.status)
			assert.Equal(t, tc.errCode, r.json(t)["error"])
			assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")

			h2 := jsonCT.Clone()
			for k, v := range h {
				h2[k] = v
			}
			for _, p := range []string{"/api/graphql", "/api/graphql/preview"} {
				r = do(t, http.MethodPost, base+p, h2, gqlBody)
				assert.Equal(t, http.StatusUnauthorized, r.status, p)
				assert.Equal(t, tc.errCode, r.json(t)["error"], p)
			}
		})
	}
	t.Run("valid token works on both GraphQL paths", func(t *testing.T) {
		h := bearer(token(t, base, "ROLE_PARTNER_READ"))
		h.Set("Content-Type", "application/json")
		for _, p := range []string{"/api/graphql", "/api/graphql/preview"} {
			r := do(t, http.MethodPost, base+p, h, gqlBody)
			assert.Equal(t, http.StatusOK, r.status, p)
			assert.JSONEq(t, `{"data":{"account":null}}`, string(r.body))
		}
	})
}

func TestTokenExpires(t *testing.T) {
	s := newSim(t, appdirectsim.Options{TokenTTL: 1}) // 1ns: expired on arrival
	tok := token(t, s.URL(), "ROLE_PARTNER")
	r := do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/"+appdirectsim.DemoAdaAccountID, bearer(tok), nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "invalid_token", r.json(t)["error"])
}

func TestCompanyREST(t *testing.T) {
	s := newSim(t, appdirectsim.Options{NoListener: true})
	ts := httptest.NewServer(http.StripPrefix("/mp", s.Handler()))
	t.Cleanup(ts.Close)
	base := ts.URL + "/mp"
	h := bearer(token(t, base, "ROLE_PARTNER_READ"))

	r := do(t, http.MethodGet, base+"/api/account/v2/companies/"+appdirectsim.DemoGraceAccountID, h, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	want := `{
		"uuid": "` + appdirectsim.DemoGraceAccountID + `",
		"companyId": null,
		"name": "Harvard Mark Computing",
		"enabled": true,
		"allowLogin": true,
		"address": {"street1": "1 Oxford Street", "city": "Cambridge", "state": "MA", "zip": "02138", "country": "US"},
		"companySize": "51-200",
		"customAttributes": [],
		"creationDate": 1626703350000,
		"industry": "COMPUTER_HARDWARE",
		"emailAddress": "grace.hopper@example.com",
		"website": "https://harvard-mark.example.com",
		"vendor": true,
		"reseller": false,
		"channelAdmin": false,
		"externalId": "ext-grace-002",
		"phoneNumber": "+1 617 555 0102",
		"defaultRole": "USER",
		"countryCode": "US",
		"status": "ENABLED",
		"links": [
			{"rel": "self", "href": "` + base + `/api/account/v2/companies/` + appdirectsim.DemoGraceAccountID + `"},
			{"rel": "memberships", "href": "` + base + `/api/account/v2/companies/` + appdirectsim.DemoGraceAccountID + `/memberships"}
		]
	}`
	assert.JSONEq(t, want, string(r.body))

	byExt := do(t, http.MethodGet, base+"/api/account/v2/companies/externalID:ext-grace-002", h, nil)
	require.Equal(t, http.StatusOK, byExt.status)
	assert.JSONEq(t, string(r.body), string(byExt.body), "by external id is the same company")

	t.Run("derived flags", func(t *testing.T) {
		cases := []struct {
			id                                          string
			enabled, allowLogin, vendor, reseller, chAd bool
		}{
			{appdirectsim.DemoAlanAccountID, true, false, false, true, false},        // ENABLED_WITHOUT_LOGIN
			{appdirectsim.DemoKatherineAccountID, false, false, false, false, false}, // PENDING_ACTIVATION
			{appdirectsim.DemoEdsgerAccountID, false, false, false, false, false},    // DISABLED
			{appdirectsim.DemoBarbaraAccountID, true, true, true, true, true},        // channel admin
		}
		for _, tc := range cases {
			m := do(t, http.MethodGet, base+"/api/account/v2/companies/"+tc.id, h, nil).json(t)
			assert.Equal(t, tc.enabled, m["enabled"], tc.id)
			assert.Equal(t, tc.allowLogin, m["allowLogin"], tc.id)
			assert.Equal(t, tc.vendor, m["vendor"], tc.id)
			assert.Equal(t, tc.reseller, m["reseller"], tc.id)
			assert.Equal(t, tc.chAd, m["channelAdmin"], tc.id)
		}
	})
	t.Run("unknown is 404 with code", func(t *testing.T) {
		for _, p := range []string{"nope", "externalID:nope", "externalID:"} {
			r := do(t, http.MethodGet, base+"/api/account/v2/companies/"+p, h, nil)
			assert.Equal(t, http.StatusNotFound, r.status, p)
			assert.Equal(t, "NOT_FOUND", r.json(t)["code"], p)
			assert.NotEmpty(t, r.json(t)["message"], p)
		}
	})
	t.Run("wrong method is 405", func(t *testing.T) {
		r := do(t, http.MethodDelete, base+"/api/account/v2/companies/"+appdirectsim.DemoGraceAccountID, h, nil)
		assert.Equal(t, http.StatusMethodNotAllowed, r.status)
		assert.Equal(t, "GET", r.header.Get("Allow"))
		r = do(t, http.MethodGet, base+"/api/graphql", h, nil)
		assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	})
	t.Run("unknown path is 404", func(t *testing.T) {
		r := do(t, http.MethodGet, base+"/api/account/v3/whatever", h, nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, "NOT_FOUND", r.json(t)["code"])
	})
}

func TestCompanyExternalIDWithReservedCharacters(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	require.NoError(t, s.SetState([]byte(`{"accounts":[{"id":"a1","name":"Odd","status":"ENABLED","accessTypes":[],"externalId":"crm/42 ?x"}]}`)))
	h := bearer(token(t, s.URL(), "ROLE_PARTNER"))
	r := do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/externalID:"+url.PathEscape("crm/42 ?x"), h, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "a1", r.json(t)["uuid"])
}

const allFields = "id name status accessTypes createdOn defaultRole externalId countryCode website contactEmail contactPhoneNumber companySize"

func TestGraphQLRejectsInvalidQueries(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER")
	cases := []struct {
		name, query string
		vars        map[string]any
		mention     string
	}{
		{"unknown account field", `{ accounts { nodes { id parentAccount } } }`, nil, "parentAccount"},
		{"unknown root field", `{ companies { id } }`, nil, "companies"},
		{"syntax error", `{ accounts { nodes { id }`, nil, ""},
		{"bad enum variable", `query($f: AccountFilter) { accounts(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"accountStatus": "BOGUS"}}, "BOGUS"},
		{"unknown filter key", `query($f: AccountFilter) { accounts(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"nickname": "x"}}, "unknown field"},
		{"missing required arg", `{ account { id } }`, nil, "id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s.URL(), tok, tc.query, tc.vars)
			assert.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
			g := gqlErrors(t, r)
			code, _ := g.Errors[0].Extensions["code"].(string)
			assert.Contains(t, []string{"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}, code)
			assert.Contains(t, g.Errors[0].Message, tc.mention)
			assert.Equal(t, "null", strings.TrimSpace(string(orNull(g.Data))))
		})
	}
}

func orNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

type conn struct {
	Accounts struct {
		Edges []struct {
			Cursor string `json:"cursor"`
			Node   struct {
				ID string `json:"id"`
			} `json:"node"`
		} `json:"edges"`
		Nodes []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			CreatedOn string `json:"createdOn"`
		} `json:"nodes"`
		PageInfo struct {
			HasNextPage     bool    `json:"hasNextPage"`
			HasPreviousPage bool    `json:"hasPreviousPage"`
			StartCursor     *string `json:"startCursor"`
			EndCursor       *string `json:"endCursor"`
		} `json:"pageInfo"`
		TotalCount int `json:"totalCount"`
	} `json:"accounts"`
}

const pageQuery = `query($first: Int, $after: String, $last: Int, $before: String, $filter: AccountFilter, $orderBy: AccountOrderBy) {
  accounts(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id } } nodes { id name createdOn } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`

// demoByDate is the demo accounts in the default order (createdOn ascending).
var demoByDate = []string{
	appdirectsim.DemoBarbaraAccountID, // 2019
	appdirectsim.DemoEdsgerAccountID,  // 2020-11
	appdirectsim.DemoAdaAccountID,     // 2021-03
	appdirectsim.DemoGraceAccountID,   // 2021-07
	appdirectsim.DemoAlanAccountID,    // 2022-01
	appdirectsim.DemoKatherineAccountID,
}

func TestAccountsPaginationForwardAndBackward(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER_READ")

	var ids []string
	var after any
	for page := 0; ; page++ {
		require.Less(t, page, 10, "pagination does not terminate")
		var c conn
		gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"first": 4, "after": after}, &c)
		assert.Equal(t, 6, c.Accounts.TotalCount)
		assert.Equal(t, page > 0, c.Accounts.PageInfo.HasPreviousPage)
		require.Len(t, c.Accounts.Edges, len(c.Accounts.Nodes))
		for i, e := range c.Accounts.Edges {
			assert.Equal(t, e.Node.ID, c.Accounts.Nodes[i].ID)
			ids = append(ids, e.Node.ID)
		}
		require.NotNil(t, c.Accounts.PageInfo.EndCursor)
		assert.Equal(t, c.Accounts.Edges[len(c.Accounts.Edges)-1].Cursor, *c.Accounts.PageInfo.EndCursor)
		assert.Equal(t, c.Accounts.Edges[0].Cursor, *c.Accounts.PageInfo.StartCursor)
		if !c.Accounts.PageInfo.HasNextPage {
			break
		}
		after = *c.Accounts.PageInfo.EndCursor
	}
	assert.Equal(t, demoByDate, ids)

	// Backward from the end with last/before.
	var back []string
	var before any
	for page := 0; ; page++ {
		require.Less(t, page, 10)
		var c conn
		gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"last": 4, "before": before}, &c)
		assert.Equal(t, page > 0, c.Accounts.PageInfo.HasNextPage)
		var pageIDs []string
		for _, n := range c.Accounts.Nodes {
			pageIDs = append(pageIDs, n.ID)
		}
		back = append(pageIDs, back...)
		if !c.Accounts.PageInfo.HasPreviousPage {
			break
		}
		before = *c.Accounts.PageInfo.StartCursor
	}
	assert.Equal(t, demoByDate, back)

	t.Run("between after and before", func(t *testing.T) {
		var all conn
		gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"first": 6}, &all)
		e := all.Accounts.Edges
		var c conn
		gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"after": e[0].Cursor, "before": e[4].Cursor}, &c)
		require.Len(t, c.Accounts.Nodes, 3)
		assert.Equal(t, demoByDate[1:4], []string{c.Accounts.Nodes[0].ID, c.Accounts.Nodes[1].ID, c.Accounts.Nodes[2].ID})
		assert.True(t, c.Accounts.PageInfo.HasNextPage)
		assert.True(t, c.Accounts.PageInfo.HasPreviousPage)
	})
	t.Run("first 0 gives an empty page", func(t *testing.T) {
		var c conn
		gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"first": 0}, &c)
		assert.Empty(t, c.Accounts.Nodes)
		assert.Nil(t, c.Accounts.PageInfo.EndCursor)
		assert.True(t, c.Accounts.PageInfo.HasNextPage)
		assert.Equal(t, 6, c.Accounts.TotalCount)
	})
}

func TestAccountsCursorSurvivesDeletion(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER")
	var c conn
	gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"first": 6}, &c)
	// Delete the very account a cursor points at (made deletable first):
	// paging on after that cursor must still resume in the right place.
	st := stateDoc(t, s)
	for i := range st.Accounts {
		if st.Accounts[i]["id"] == appdirectsim.DemoGraceAccountID {
			st.Accounts[i]["memberships"] = 0
		}
	}
	setStateDoc(t, s, st)
	graceCursor := c.Accounts.Edges[3].Cursor
	require.Equal(t, appdirectsim.DemoGraceAccountID, c.Accounts.Edges[3].Node.ID)
	var del struct {
		DeleteAccount struct{ Success bool } `json:"deleteAccount"`
	}
	gqlOK(t, s.URL(), tok, `mutation { deleteAccount(input: {accountId: "`+appdirectsim.DemoGraceAccountID+`"}) { success } }`, nil, &del)
	require.True(t, del.DeleteAccount.Success)

	var next conn
	gqlOK(t, s.URL(), tok, pageQuery, map[string]any{"first": 10, "after": graceCursor}, &next)
	var ids []string
	for _, n := range next.Accounts.Nodes {
		ids = append(ids, n.ID)
	}
	assert.Equal(t, demoByDate[4:], ids)
	assert.True(t, next.Accounts.PageInfo.HasPreviousPage)
}

func TestAccountsArgumentErrors(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER_READ")
	cases := []struct {
		name    string
		vars    map[string]any
		mention string
	}{
		{"first and last together", map[string]any{"first": 2, "last": 2}, "first and last"},
		{"first over the cap", map[string]any{"first": 101}, "first must be between 0 and 100"},
		{"negative last", map[string]any{"last": -1}, "last must be between 0 and 100"},
		{"garbage cursor", map[string]any{"after": "%%%"}, "after"},
		{"base64 but not ours", map[string]any{"before": "aGVsbG8="}, "before"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s.URL(), tok, pageQuery, tc.vars)
			assert.Equal(t, http.StatusOK, r.status)
			g := gqlErrors(t, r)
			assert.Equal(t, "BAD_USER_INPUT", g.Errors[0].Extensions["code"])
			assert.Contains(t, g.Errors[0].Message, tc.mention)
			assert.JSONEq(t, "null", string(orNull(g.Data)))
		})
	}
}

func TestAccountsFilterAndOrder(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER_READ")
	names := func(vars map[string]any) []string {
		var c conn
		gqlOK(t, s.URL(), tok, pageQuery, vars, &c)
		out := []string{}
		for _, n := range c.Accounts.Nodes {
			out = append(out, n.Name)
		}
		assert.Equal(t, len(out), c.Accounts.TotalCount, "totalCount counts the filtered set")
		return out
	}
	cases := []struct {
		name string
		vars map[string]any
		want []string
	}{
		{"status", map[string]any{"filter": map[string]any{"accountStatus": "ENABLED"}, "orderBy": map[string]any{"field": "NAME"}},
			[]string{"Analytical Engines Ltd", "Harvard Mark Computing", "Switchyard Channel Partners"}},
		{"access type", map[string]any{"filter": map[string]any{"accessType": "RESELLER"}},
			[]string{"Switchyard Channel Partners", "Bletchley Codebreakers"}},
		{"search text is case-insensitive", map[string]any{"filter": map[string]any{"searchText": "CODE"}},
			[]string{"Bletchley Codebreakers"}},
		{"created window", map[string]any{"filter": map[string]any{"createdAfter": "2021-01-01T00:00:00Z", "createdBefore": "2022-01-10T08:00:00Z"}},
			[]string{"Analytical Engines Ltd", "Harvard Mark Computing"}},
		{"name descending", map[string]any{"orderBy": map[string]any{"field": "NAME", "direction": "DESC"}},
			[]string{"Switchyard Channel Partners", "Langley Flight Research", "Harvard Mark Computing", "Eindhoven Semaphore BV", "Bletchley Codebreakers", "Analytical Engines Ltd"}},
		{"date descending", map[string]any{"orderBy": map[string]any{"field": "DATE", "direction": "DESC"}, "first": 2},
			nil},
		{"nothing matches", map[string]any{"filter": map[string]any{"searchText": "zzz"}}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil {
				var c conn
				gqlOK(t, s.URL(), tok, pageQuery, tc.vars, &c)
				require.Len(t, c.Accounts.Nodes, 2)
				assert.Equal(t, demoByDate[5], c.Accounts.Nodes[0].ID)
				assert.Equal(t, demoByDate[4], c.Accounts.Nodes[1].ID)
				assert.Equal(t, 6, c.Accounts.TotalCount)
				return
			}
			assert.Equal(t, tc.want, names(tc.vars))
		})
	}
}

func TestAccountLookups(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER_READ")
	var got struct {
		Account    map[string]any `json:"account"`
		ByExternal map[string]any `json:"accountByExternalId"`
		Missing    map[string]any `json:"missing"`
		MissingExt map[string]any `json:"missingExt"`
	}
	gqlOK(t, s.URL(), tok, `query($id: ID!, $ext: String!) {
		account(id: $id) { `+allFields+` }
		accountByExternalId(externalId: $ext) { id name }
		missing: account(id: "nope") { id }
		missingExt: accountByExternalId(externalId: "nope") { id }
	}`, map[string]any{"id": appdirectsim.DemoAdaAccountID, "ext": "ext-barbara-006"}, &got)
	want := map[string]any{
		"id": appdirectsim.DemoAdaAccountID, "name": "Analytical Engines Ltd", "status": "ENABLED",
		"accessTypes": []any{"CUSTOMER"}, "createdOn": "2021-03-04T09:15:00Z", "defaultRole": "USER",
		"externalId": "ext-ada-001", "countryCode": "GB", "website": "https://analytical-engines.example.com",
		"contactEmail": "ada.lovelace@example.com", "contactPhoneNumber": "+44 20 7946 0001", "companySize": "11-50",
	}
	assert.Equal(t, want, got.Account)
	assert.Equal(t, map[string]any{"id": appdirectsim.DemoBarbaraAccountID, "name": "Switchyard Channel Partners"}, got.ByExternal)
	assert.Nil(t, got.Missing)
	assert.Nil(t, got.MissingExt)
}

const deleteMutation = `mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { success userErrors { code message } } }`

type deletePayload struct {
	DeleteAccount struct {
		Success    bool `json:"success"`
		UserErrors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"userErrors"`
	} `json:"deleteAccount"`
}

func TestDeleteAccountRules(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER")
	cases := []struct {
		name  string
		id    string
		codes []string
	}{
		{"memberships and subscriptions", appdirectsim.DemoAdaAccountID, []string{"ACCOUNT_HAS_MEMBERSHIPS", "ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS"}},
		{"memberships", appdirectsim.DemoGraceAccountID, []string{"ACCOUNT_HAS_MEMBERSHIPS"}},
		{"active subscriptions", appdirectsim.DemoAlanAccountID, []string{"ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS"}},
		{"unknown", "no-such-account", []string{"ACCOUNT_NOT_FOUND"}},
		{"empty id", "", []string{"ACCOUNT_NOT_FOUND"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p deletePayload
			gqlOK(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": tc.id}}, &p)
			assert.False(t, p.DeleteAccount.Success)
			var codes []string
			for _, ue := range p.DeleteAccount.UserErrors {
				codes = append(codes, ue.Code)
				assert.NotEmpty(t, ue.Message)
			}
			assert.Equal(t, tc.codes, codes)
		})
	}
	// Nothing was removed by the refusals.
	assert.Len(t, stateDoc(t, s).Accounts, 6)

	t.Run("read-only token may not delete", func(t *testing.T) {
		ro := token(t, s.URL(), "ROLE_PARTNER_READ")
		r := gql(t, s.URL(), ro, deleteMutation, map[string]any{"input": map[string]any{"accountId": appdirectsim.DemoKatherineAccountID}})
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "FORBIDDEN", gqlErrors(t, r).Errors[0].Extensions["code"])
		assert.Len(t, stateDoc(t, s).Accounts, 6)
	})

	t.Run("deletable account and its company are removed", func(t *testing.T) {
		var p deletePayload
		gqlOK(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": appdirectsim.DemoKatherineAccountID}}, &p)
		assert.True(t, p.DeleteAccount.Success)
		assert.Empty(t, p.DeleteAccount.UserErrors)

		var got struct {
			Account *struct{ ID string } `json:"account"`
		}
		gqlOK(t, s.URL(), tok, `query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": appdirectsim.DemoKatherineAccountID}, &got)
		assert.Nil(t, got.Account)
		r := do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/"+appdirectsim.DemoKatherineAccountID, bearer(tok), nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		r = do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/externalID:ext-katherine-004", bearer(tok), nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		st := stateDoc(t, s)
		assert.Len(t, st.Accounts, 5)
		for _, a := range st.Accounts {
			assert.NotEqual(t, appdirectsim.DemoKatherineAccountID, a["id"])
		}

		// A second delete of the same account now reports it unknown.
		gqlOK(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": appdirectsim.DemoKatherineAccountID}}, &p)
		require.Len(t, p.DeleteAccount.UserErrors, 1)
		assert.Equal(t, "ACCOUNT_NOT_FOUND", p.DeleteAccount.UserErrors[0].Code)
	})
}

type state struct {
	Accounts []map[string]any `json:"accounts"`
}

func stateDoc(t *testing.T, s *appdirectsim.Server) state {
	t.Helper()
	b, err := s.State()
	require.NoError(t, err)
	var st state
	require.NoError(t, json.Unmarshal(b, &st))
	return st
}

func setStateDoc(t *testing.T, s *appdirectsim.Server, st state) {
	t.Helper()
	b, err := json.Marshal(st)
	require.NoError(t, err)
	require.NoError(t, s.SetState(b))
}

func TestStateRoundTripResetAndEmpty(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	st := stateDoc(t, s)
	require.Len(t, st.Accounts, 6)
	first := st.Accounts[0]
	for _, k := range []string{"id", "name", "status", "accessTypes", "createdOn", "defaultRole", "externalId", "countryCode", "website", "contactEmail", "contactPhoneNumber", "companySize", "memberships", "activeSubscriptions"} {
		assert.Contains(t, first, k)
	}

	emails := map[string]bool{}
	deletable := 0
	for _, a := range st.Accounts {
		emails[a["contactEmail"].(string)] = true
		if len(a["memberships"].([]any)) == 0 && a["activeSubscriptions"] == 0.0 {
			deletable++
		}
	}
	for _, e := range []string{"ada.lovelace@example.com", "grace.hopper@example.com", "alan.turing@example.com", "katherine.johnson@example.com"} {
		assert.True(t, emails[e], "demo data cross-links %s", e)
	}
	assert.Equal(t, 1, deletable)

	doc, err := s.State()
	require.NoError(t, err)
	require.NoError(t, s.SetState([]byte(`{"accounts":[]}`)))
	assert.Empty(t, stateDoc(t, s).Accounts)
	require.NoError(t, s.SetState(doc))
	again, err := s.State()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(again), "State/SetState round-trips")

	require.NoError(t, s.SetState([]byte(`{"accounts":[{"id":"x","name":"X","status":"DISABLED","accessTypes":["VENDOR"]}]}`)))
	assert.Len(t, stateDoc(t, s).Accounts, 1)
	s.Reset()
	assert.Len(t, stateDoc(t, s).Accounts, 6)

	empty := newSim(t, appdirectsim.Options{Empty: true})
	assert.Empty(t, stateDoc(t, empty).Accounts)
	b, err := empty.State()
	require.NoError(t, err)
	assert.JSONEq(t, `{"accounts":[]}`, string(b))
}

func TestSetStateRejectsMalformed(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	before, err := s.State()
	require.NoError(t, err)
	cases := map[string]string{
		"not json":           `{"accounts":`,
		"no accounts":        `{}`,
		"accounts not list":  `{"accounts":{}}`,
		"unknown field":      `{"accounts":[{"id":"a","name":"A","status":"ENABLED","accessTypes":[],"parent":"t"}]}`,
		"missing id":         `{"accounts":[{"name":"A","status":"ENABLED","accessTypes":[]}]}`,
		"missing name":       `{"accounts":[{"id":"a","status":"ENABLED","accessTypes":[]}]}`,
		"bad status":         `{"accounts":[{"id":"a","name":"A","status":"ACTIVE","accessTypes":[]}]}`,
		"bad access type":    `{"accounts":[{"id":"a","name":"A","status":"ENABLED","accessTypes":["ADMIN"]}]}`,
		"duplicate id":       `{"accounts":[{"id":"a","name":"A","status":"ENABLED"},{"id":"a","name":"B","status":"ENABLED"}]}`,
		"duplicate ext id":   `{"accounts":[{"id":"a","name":"A","status":"ENABLED","externalId":"e"},{"id":"b","name":"B","status":"ENABLED","externalId":"e"}]}`,
		"negative count":     `{"accounts":[{"id":"a","name":"A","status":"ENABLED","memberships":-1}]}`,
		"member no user id":  `{"accounts":[{"id":"a","name":"A","status":"ENABLED","memberships":[{"email":"m@example.com","roles":[]}]}]}`,
		"member no email":    `{"accounts":[{"id":"a","name":"A","status":"ENABLED","memberships":[{"userId":"u","roles":[]}]}]}`,
		"duplicate member":   `{"accounts":[{"id":"a","name":"A","status":"ENABLED","memberships":[{"userId":"u","email":"m@example.com"},{"userId":"u","email":"n@example.com"}]}]}`,
		"member unknown key": `{"accounts":[{"id":"a","name":"A","status":"ENABLED","memberships":[{"userId":"u","email":"m@example.com","admin":true}]}]}`,
		"memberships string": `{"accounts":[{"id":"a","name":"A","status":"ENABLED","memberships":"3"}]}`,
		"bad date":           `{"accounts":[{"id":"a","name":"A","status":"ENABLED","createdOn":"yesterday"}]}`,
		"trailing data":      `{"accounts":[]} {}`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, s.SetState([]byte(doc)))
			after, err := s.State()
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "a refused document changes nothing")
		})
	}
}

func TestFaultsAndRecorder(t *testing.T) {
	rec := simkit.NewRecorder(0)
	faults := simkit.NewFaults()
	s := newSim(t, appdirectsim.Options{Recorder: rec, Faults: faults})
	assert.Same(t, rec, s.Recorder())
	assert.Same(t, faults, s.Faults())
	tok := token(t, s.URL(), "ROLE_PARTNER")

	faults.Set(simkit.Fault{Vendor: "appdirect", Status: 503, RetryAfterSeconds: 2})
	r := do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/"+appdirectsim.DemoAdaAccountID, bearer(tok), nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "2", r.header.Get("Retry-After"))
	assert.Equal(t, "SERVICE_UNAVAILABLE", r.json(t)["code"])
	faults.Set(simkit.Fault{Vendor: "appdirect", Status: 429})
	r = do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/"+appdirectsim.DemoAdaAccountID, bearer(tok), nil)
	assert.Equal(t, "TOO_MANY_REQUESTS", r.json(t)["code"])
	faults.Clear()

	entries := rec.Entries()
	require.NotEmpty(t, entries)
	last := entries[len(entries)-1]
	assert.Equal(t, "appdirect", last.Vendor)
	assert.Equal(t, http.MethodGet, last.Method)
	assert.Equal(t, "/api/account/v2/companies/"+appdirectsim.DemoAdaAccountID, last.Path)
	assert.Equal(t, "REDACTED", last.Headers["Authorization"])
	for _, e := range entries {
		assert.NotContains(t, e.Body, appdirectsim.ClientSecret)
		assert.NotContains(t, e.Headers["Authorization"], tok)
	}
}

func TestMountedUnderMux(t *testing.T) {
	rec, faults := simkit.NewRecorder(0), simkit.NewFaults()
	s := newSim(t, appdirectsim.Options{NoListener: true, Recorder: rec, Faults: faults})
	assert.Equal(t, "", s.URL())
	assert.Equal(t, "appdirect", s.Name())
	ts := httptest.NewServer(simkit.Mux(rec, faults, s))
	t.Cleanup(ts.Close)
	base := ts.URL + "/appdirect"
	tok := token(t, base, "ROLE_PARTNER")
	r := do(t, http.MethodGet, base+"/api/account/v2/companies/externalID:ext-ada-001", bearer(tok), nil)
	require.Equal(t, http.StatusOK, r.status)
	links := r.json(t)["links"].([]any)
	assert.Equal(t, base+"/api/account/v2/companies/"+appdirectsim.DemoAdaAccountID, links[0].(map[string]any)["href"])

	r = do(t, http.MethodGet, ts.URL+"/_sim/state/appdirect", nil, nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), appdirectsim.DemoAdaAccountID)
}

func TestConcurrentReadsAndDeletes(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				switch (i + j) % 3 {
				case 0:
					gql(t, s.URL(), tok, pageQuery, map[string]any{"first": 3})
				case 1:
					gql(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": appdirectsim.DemoKatherineAccountID}})
				default:
					do(t, http.MethodGet, s.URL()+"/api/account/v2/companies/"+appdirectsim.DemoAdaAccountID, bearer(tok), nil)
				}
			}
		}(i)
	}
	wg.Wait()
	assert.Len(t, stateDoc(t, s).Accounts, 5, "exactly the deletable account is gone")
}

const membershipsQuery = `query($id: ID!, $first: Int, $after: String) { account(id: $id) { accountMemberships(first: $first, after: $after) {
	totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor } nodes { user { id email firstName lastName } roles } } } }`

type membershipsReply struct {
	Account struct {
		AccountMemberships struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage, HasPreviousPage bool
				EndCursor                    *string
			}
			Edges []struct{ Cursor string }
			Nodes []struct {
				User struct {
					ID, Email           string
					FirstName, LastName *string
				}
				Roles []string
			}
		}
	}
}

func TestAccountMembershipsPaging(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER_READ")

	var all membershipsReply
	gqlOK(t, s.URL(), tok, membershipsQuery, map[string]any{"id": appdirectsim.DemoAdaAccountID}, &all)
	m := all.Account.AccountMemberships
	assert.Equal(t, 3, m.TotalCount)
	require.Len(t, m.Nodes, 3)
	assert.Equal(t, "u-ada-lovelace", m.Nodes[0].User.ID)
	assert.Equal(t, "ada.lovelace@example.com", m.Nodes[0].User.Email)
	assert.Equal(t, "Lovelace", *m.Nodes[0].User.LastName)
	assert.Equal(t, []string{"SYS_ADMIN", "USER"}, m.Nodes[0].Roles)
	assert.False(t, m.PageInfo.HasNextPage)

	// Page through Barbara's eight members three at a time.
	var ids []string
	var after any
	for page := 0; ; page++ {
		require.Less(t, page, 4, "paging terminates")
		var r membershipsReply
		gqlOK(t, s.URL(), tok, membershipsQuery, map[string]any{"id": appdirectsim.DemoBarbaraAccountID, "first": 3, "after": after}, &r)
		m := r.Account.AccountMemberships
		assert.Equal(t, 8, m.TotalCount)
		assert.Equal(t, page > 0, m.PageInfo.HasPreviousPage)
		for _, n := range m.Nodes {
			ids = append(ids, n.User.ID)
		}
		if !m.PageInfo.HasNextPage {
			break
		}
		require.NotNil(t, m.PageInfo.EndCursor)
		assert.Equal(t, *m.PageInfo.EndCursor, m.Edges[len(m.Edges)-1].Cursor)
		after = *m.PageInfo.EndCursor
	}
	assert.Len(t, ids, 8)
	assert.Equal(t, "u-barbara-liskov", ids[0])
	assert.Equal(t, "u-liuba-shrira", ids[7])

	var none membershipsReply
	gqlOK(t, s.URL(), tok, membershipsQuery, map[string]any{"id": appdirectsim.DemoKatherineAccountID}, &none)
	assert.Zero(t, none.Account.AccountMemberships.TotalCount)
	assert.NotNil(t, none.Account.AccountMemberships.Nodes)
	assert.Empty(t, none.Account.AccountMemberships.Nodes)

	for name, vars := range map[string]map[string]any{
		"first too large": {"id": appdirectsim.DemoAdaAccountID, "first": 101},
		"negative first":  {"id": appdirectsim.DemoAdaAccountID, "first": -1},
		"bad cursor":      {"id": appdirectsim.DemoAdaAccountID, "after": "nope"},
		"other account's cursor": {"id": appdirectsim.DemoAdaAccountID,
			"after": base64.StdEncoding.EncodeToString([]byte("membership:u-grace-hopper"))},
	} {
		t.Run(name, func(t *testing.T) {
			r := gql(t, s.URL(), tok, membershipsQuery, vars)
			assert.Equal(t, "BAD_USER_INPUT", gqlErrors(t, r).Errors[0].Extensions["code"], "%s", r.body)
		})
	}
}

// TestMembershipsStateAndDeleteRule: the delete rule counts the stored
// list, the old integer count is still accepted (as placeholder members),
// and State writes the list.
func TestMembershipsStateAndDeleteRule(t *testing.T) {
	s := newSim(t, appdirectsim.Options{})
	tok := token(t, s.URL(), "ROLE_PARTNER")
	require.NoError(t, s.SetState([]byte(`{"accounts":[
		{"id":"a","name":"A","status":"ENABLED","memberships":2},
		{"id":"b","name":"B","status":"ENABLED","memberships":[{"userId":"u1","email":"u1@example.com","roles":["USER"]}]},
		{"id":"c","name":"C","status":"ENABLED","memberships":[]},
		{"id":"d","name":"D","status":"ENABLED","memberships":0}]}`)))

	st := stateDoc(t, s)
	require.Len(t, st.Accounts, 4)
	legacy := st.Accounts[0]["memberships"].([]any)
	require.Len(t, legacy, 2)
	assert.Equal(t, "a-member-1", legacy[0].(map[string]any)["userId"])
	assert.NotEmpty(t, legacy[0].(map[string]any)["email"])
	assert.Len(t, st.Accounts[1]["memberships"], 1)
	assert.Equal(t, []any{}, st.Accounts[3]["memberships"], "a count of 0 is an empty list")

	var r membershipsReply
	gqlOK(t, s.URL(), tok, membershipsQuery, map[string]any{"id": "a"}, &r)
	assert.Equal(t, 2, r.Account.AccountMemberships.TotalCount)
	assert.Equal(t, []string{"USER"}, r.Account.AccountMemberships.Nodes[1].Roles)

	for id, want := range map[string]string{"a": "2 account membership", "b": "1 account membership"} {
		var p deletePayload
		gqlOK(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": id}}, &p)
		assert.False(t, p.DeleteAccount.Success, id)
		require.Len(t, p.DeleteAccount.UserErrors, 1, id)
		assert.Equal(t, "ACCOUNT_HAS_MEMBERSHIPS", p.DeleteAccount.UserErrors[0].Code)
		assert.Contains(t, p.DeleteAccount.UserErrors[0].Message, want)
	}
	for _, id := range []string{"c", "d"} {
		var p deletePayload
		gqlOK(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": id}}, &p)
		assert.True(t, p.DeleteAccount.Success, id)
	}

	// Removing b's only member (as deleteAccountMembership would) makes it deletable.
	st = stateDoc(t, s)
	st.Accounts[1]["memberships"] = []any{}
	setStateDoc(t, s, st)
	var p deletePayload
	gqlOK(t, s.URL(), tok, deleteMutation, map[string]any{"input": map[string]any{"accountId": "b"}}, &p)
	assert.True(t, p.DeleteAccount.Success)
}
