package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// graphqlSent returns the GraphQL documents the gateway sent AppDirect.
func (e *env) graphqlSent() []struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
} {
	e.T.Helper()
	var out []struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	for _, c := range e.Calls("appdirect") {
		if strings.HasSuffix(c.Path, "/api/graphql") {
			var doc struct {
				Query     string         `json:"query"`
				Variables map[string]any `json:"variables"`
			}
			require.NoError(e.T, json.Unmarshal([]byte(c.Body), &doc))
			out = append(out, doc)
		}
	}
	return out
}

func TestAccountsProjectionSendsOnlySelectedFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`{ accounts(first: 2) { nodes { name } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	sent := e.graphqlSent()
	require.Len(t, sent, 1)
	q := sent[0].Query
	assert.Contains(t, q, "name")
	for _, f := range []string{"status", "accessTypes", "createdOn", "externalId", "countryCode", "website", "contactEmail", "companySize", "pageInfo", "totalCount", "edges"} {
		assert.NotContains(t, q, f, "unselected field %q was forwarded in %s", f, q)
	}
	assert.NotContains(t, q, "2", "arguments travel as variables, never in the text")
	assert.EqualValues(t, 2, sent[0].Variables["first"])
}

func TestAccountsProjectionFollowsFragmentsAliasesAndDirectives(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`query($withSite: Boolean!) {
		accounts(first: 3, orderBy: {field: NAME, direction: DESC}, filter: {accountStatus: ENABLED}) {
			edges { cursor node { ...Basics } }
			pageInfo { hasNextPage }
			totalCount
		}
	}
	fragment Basics on Account { label: name ... on Account { countryCode } website @include(if: $withSite) status @skip(if: true) }`,
		map[string]any{"withSite": false})
	require.Empty(t, r.Errors, r.Raw)
	sent := e.graphqlSent()
	require.Len(t, sent, 1)
	q := sent[0].Query
	for _, f := range []string{"name", "countryCode", "cursor", "pageInfo", "totalCount"} {
		assert.Contains(t, q, f)
	}
	for _, f := range []string{"website", "status", "label"} {
		assert.NotContains(t, q, f, "in %s", q)
	}
	assert.Equal(t, map[string]any{"accountStatus": "ENABLED"}, sent[0].Variables["filter"])
	var data struct {
		Accounts struct {
			Edges []struct {
				Node struct {
					Label string `json:"label"`
				} `json:"node"`
			} `json:"edges"`
			TotalCount int `json:"totalCount"`
		} `json:"accounts"`
	}
	r.Into(t, &data)
	require.NotEmpty(t, data.Accounts.Edges)
	assert.Equal(t, "Switchyard Channel Partners", data.Accounts.Edges[0].Node.Label, "sorted by name, descending, enabled only")
	assert.Equal(t, 3, data.Accounts.TotalCount)
}

func TestAccountLookupsAndCompany(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`query($id: ID!) {
		account(id: $id) { id name company { id industry createdOn } }
		byExt: accountByExternalId(externalId: "ext-grace-002") { id status accessTypes company { name } }
		missing: account(id: "00000000-0000-0000-0000-000000000000") { id }
		company(id: $id) { name countryCode }
		companyByExternalId(externalId: "ext-alan-003") { id name }
		noCompany: companyByExternalId(externalId: "nope") { id }
	}`, map[string]any{"id": appdirectsim.DemoAdaAccountID})
	require.Empty(t, r.Errors, r.Raw)
	var data struct {
		Account struct {
			Name    string `json:"name"`
			Company struct {
				ID       string `json:"id"`
				Industry string `json:"industry"`
			} `json:"company"`
		} `json:"account"`
		ByExt struct {
			ID          string   `json:"id"`
			Status      string   `json:"status"`
			AccessTypes []string `json:"accessTypes"`
		} `json:"byExt"`
		Missing   *struct{} `json:"missing"`
		Company   struct{ Name string }
		NoCompany *struct{} `json:"noCompany"`
	}
	r.Into(t, &data)
	assert.Equal(t, "Analytical Engines Ltd", data.Account.Name)
	assert.Equal(t, appdirectsim.DemoAdaAccountID, data.Account.Company.ID)
	assert.Equal(t, "COMPUTER_SOFTWARE", data.Account.Company.Industry)
	assert.Equal(t, appdirectsim.DemoGraceAccountID, data.ByExt.ID)
	assert.Equal(t, []string{"CUSTOMER", "VENDOR"}, data.ByExt.AccessTypes)
	assert.Nil(t, data.Missing)
	assert.Equal(t, "Analytical Engines Ltd", data.Company.Name)
	assert.Nil(t, data.NoCompany)

	restCalls := 0
	for _, c := range e.Calls("appdirect") {
		if strings.Contains(c.Path, "/companies/"+appdirectsim.DemoAdaAccountID) {
			restCalls++
		}
	}
	assert.Equal(t, 1, restCalls, "the same company asked for twice is fetched once")
}

func TestDeleteAccountRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		id, code, userError string
	}{
		{appdirectsim.DemoGraceAccountID, "FAILED_PRECONDITION", "ACCOUNT_HAS_MEMBERSHIPS"},
		{appdirectsim.DemoAlanAccountID, "FAILED_PRECONDITION", "ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS"},
		{"00000000-0000-0000-0000-000000000000", "NOT_FOUND", "ACCOUNT_NOT_FOUND"},
	} {
		r := e.Query(`mutation($id: ID!) { deleteAccount(input: {accountId: $id}) { success userErrors { code } } }`, map[string]any{"id": tc.id})
		assert.Equal(t, []string{tc.code}, r.Codes(), r.Raw)
		assert.JSONEq(t, `{"deleteAccount":{"success":false,"userErrors":[{"code":"`+tc.userError+`"}]}}`, string(r.Data), "the payload carries AppDirect's userErrors")
	}
	r := e.Query(`mutation($id: ID!) { deleteAccount(input: {accountId: $id}) { success } }`, map[string]any{"id": appdirectsim.DemoKatherineAccountID})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"deleteAccount":{"success":true}}`, string(r.Data))
	r = e.Query(`query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": appdirectsim.DemoKatherineAccountID})
	assert.JSONEq(t, `{"account":null}`, string(r.Data))
}
