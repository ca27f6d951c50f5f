package appdirect_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// TestAccountFilters: the documented name filter, and searchText over
// name and external id as the schema describes it.
func TestAccountFilters(t *testing.T) {
	cases := []struct {
		name   string
		filter appdirect.AccountFilter
		want   []string
	}{
		{"name exact, any case", appdirect.AccountFilter{Name: strp("analytical engines ltd")}, []string{appdirectsim.DemoAdaAccountID}},
		{"name is not a substring match", appdirect.AccountFilter{Name: strp("Analytical")}, []string{}},
		{"searchText matches the external id", appdirect.AccountFilter{SearchText: strp("ext-grace")}, []string{appdirectsim.DemoGraceAccountID}},
	}
	e := setup(t, appdirectsim.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := e.client.Accounts(context.Background(), appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{Filter: &tc.filter})
			require.NoError(t, err)
			got := []string{}
			for _, n := range conn.Nodes {
				got = append(got, n.ID)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestListCompanies: the paged REST list, ?page&size on the wire and
// {content, page} decoded.
func TestListCompanies(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	p, err := e.client.ListCompanies(context.Background(), 1, 4)
	require.NoError(t, err)
	assert.Equal(t, appdirect.PageMeta{Size: 4, TotalElements: 6, TotalPages: 2, Number: 1}, p.Page)
	require.Len(t, p.Content, 2)
	assert.NotEmpty(t, p.Content[0].UUID)
	assert.NotEmpty(t, p.Content[0].Links)
	reqs := e.requests("/api/account/v2/companies")
	require.Len(t, reqs, 1)
	q, err := url.ParseQuery(reqs[0].Query)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"page": {"1"}, "size": {"4"}}, q)
}
