package goclient_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/examples/goclient"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

// newClient serves a sandbox gateway (every vendor simulated over
// loopback, as `go run .` does without credentials) and returns a
// genqlient client of its /query endpoint.
func newClient(t *testing.T) graphql.Client {
	t.Helper()
	return graphql.NewClient(gatewaytest.Start(t).Server.URL+"/query", http.DefaultClient)
}

func ptr[T any](v T) *T { return &v }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestGateway(t *testing.T) {
	c := newClient(t)
	resp, err := goclient.Gateway(testContext(t), c)
	require.NoError(t, err)
	assert.True(t, resp.Gateway.Sandbox)
	var names []string
	for _, v := range resp.Gateway.Vendors {
		names = append(names, v.Name)
		assert.True(t, v.Configured, v.Name)
		assert.True(t, v.Simulated, v.Name)
	}
	// The four of this build, and any vendor added to the registry since.
	assert.Subset(t, names, []string{"ortto", "apptivo", "appdirect", "cordial"})
}

func TestAppDirectAccounts(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)
	order := &goclient.AccountOrder{Field: goclient.AccountOrderFieldName, Direction: goclient.OrderDirectionAsc}

	first, err := goclient.Accounts(ctx, c, 2, nil, order, nil)
	require.NoError(t, err)
	require.NotNil(t, first.Accounts)
	page := first.Accounts
	require.Len(t, page.Nodes, 2)
	require.NotNil(t, page.TotalCount)
	assert.Greater(t, *page.TotalCount, 2)
	assert.True(t, page.PageInfo.HasNextPage)
	require.NotNil(t, page.PageInfo.EndCursor)

	top := page.Nodes[0]
	require.NotNil(t, top.Name)
	assert.Equal(t, "Analytical Engines Ltd", *top.Name)
	assert.Equal(t, goclient.AccountStatusEnabled, top.Status)
	require.NotNil(t, top.CreatedOn, "Time scalar decodes into time.Time")
	assert.False(t, top.CreatedOn.IsZero())
	require.NotNil(t, top.Company, "REST company of the account")
	require.NotNil(t, top.Company.Industry)
	assert.Equal(t, "COMPUTER_SOFTWARE", *top.Company.Industry)
	require.NotNil(t, page.Nodes[1].Name)
	assert.Less(t, *top.Name, *page.Nodes[1].Name, "ordered by name")

	// The next page starts after the cursor and repeats no account.
	next, err := goclient.Accounts(ctx, c, 2, page.PageInfo.EndCursor, order, nil)
	require.NoError(t, err)
	require.NotNil(t, next.Accounts)
	require.NotEmpty(t, next.Accounts.Nodes)
	for _, n := range next.Accounts.Nodes {
		assert.NotEqual(t, top.Id, n.Id)
		assert.NotEqual(t, page.Nodes[1].Id, n.Id)
	}

	one, err := goclient.Account(ctx, c, top.Id)
	require.NoError(t, err)
	require.NotNil(t, one.Account)
	assert.Equal(t, top.Name, one.Account.Name)

	none, err := goclient.Account(ctx, c, "00000000-0000-4000-8000-000000000000")
	require.NoError(t, err)
	assert.Nil(t, none.Account, "an unknown id is null, not an error")
}

func TestApptivoCustomersWithOrttoPerson(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)

	resp, err := goclient.Customers(ctx, c, ptr(20), nil)
	require.NoError(t, err)
	require.NotNil(t, resp.Customers)
	require.NotEmpty(t, resp.Customers.Nodes)
	ada := resp.Customers.Nodes[0]
	assert.Equal(t, "Analytical Engines Ltd", ada.Name)
	require.NotNil(t, ada.PrimaryEmail)
	assert.Equal(t, "ada.lovelace@example.com", *ada.PrimaryEmail)
	require.NotNil(t, ada.Person, "the Ortto person with the customer's email")
	assert.Equal(t, "00650c1e8a2f4b6d3e9a1c00", ada.Person.Id)
	require.NotEmpty(t, ada.Person.Subscriptions)
	audiences := map[string]bool{}
	for _, s := range ada.Person.Subscriptions {
		assert.NotEmpty(t, s.AudienceId)
		audiences[s.AudienceName] = s.Subscribed
	}
	assert.Equal(t, true, audiences["Weekly updates"], "%v", audiences)

	found, err := goclient.SearchCustomers(ctx, c, goclient.CustomerSearchInput{Email: ptr("grace.hopper@example.com")})
	require.NoError(t, err)
	require.NotNil(t, found.SearchCustomers)
	require.Len(t, found.SearchCustomers.Nodes, 1)
	assert.Equal(t, "Hopper Compilers Inc", found.SearchCustomers.Nodes[0].Name)
}

func TestOrttoPeopleWithApptivoCustomers(t *testing.T) {
	c := newClient(t)
	resp, err := goclient.People(testContext(t), c, []goclient.PersonRef{
		{Email: ptr("grace.hopper@example.com")},
		{Id: ptr("ffffffffffffffffffffff00")},
		{Id: ptr("00650c1e8a2f4b6d3e9a1c00")},
	})
	require.NoError(t, err)
	require.Len(t, resp.People, 3, "one result per ref, in order")

	grace := resp.People[0]
	require.NotNil(t, grace)
	assert.Equal(t, "00650c1f2b7d9e4a6c3f5b00", grace.Id)
	require.NotNil(t, grace.Email)
	assert.Equal(t, "grace.hopper@example.com", *grace.Email)
	assert.NotEmpty(t, grace.Subscriptions)
	require.Len(t, grace.Customers, 1, "the Apptivo customer with her email")
	assert.Equal(t, "Hopper Compilers Inc", grace.Customers[0].Name)

	assert.Nil(t, resp.People[1], "unknown person is null")

	require.NotNil(t, resp.People[2])
	assert.Equal(t, "00650c1e8a2f4b6d3e9a1c00", resp.People[2].Id)
}

func TestCordialCreateAccountList(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)

	before, err := goclient.AccountLists(ctx, c, nil)
	require.NoError(t, err)
	require.NotEmpty(t, before.AccountLists)

	created, err := goclient.CreateAccountList(ctx, c, goclient.CreateAccountListInput{Name: "goclient_safe_drivers", Enhanced: ptr(true)})
	require.NoError(t, err)
	require.NotNil(t, created.CreateAccountList)
	list := created.CreateAccountList
	assert.NotEmpty(t, list.Id)
	assert.Equal(t, "goclient_safe_drivers", list.Name)
	assert.True(t, list.Enhanced)
	require.NotNil(t, list.ContactCount, "contactCount is null only when forbidden or failed")
	assert.Zero(t, *list.ContactCount)

	// The new list is what Cordial now serves under that name.
	byName, err := goclient.AccountLists(ctx, c, ptr("goclient_safe_drivers"))
	require.NoError(t, err)
	require.Len(t, byName.AccountLists, 1)
	assert.Equal(t, list.Id, byName.AccountLists[0].Id)

	after, err := goclient.AccountLists(ctx, c, nil)
	require.NoError(t, err)
	assert.Len(t, after.AccountLists, len(before.AccountLists)+1)

	// A taken name is a GraphQL error with a stable code; genqlient returns
	// it as a gqlerror.List.
	_, err = goclient.CreateAccountList(ctx, c, goclient.CreateAccountListInput{Name: "goclient_safe_drivers"})
	require.Error(t, err)
	var gqlErrs gqlerror.List
	require.True(t, errors.As(err, &gqlErrs), "%T: %v", err, err)
	require.NotEmpty(t, gqlErrs)
	assert.Equal(t, "CONFLICT", gqlErrs[0].Extensions["code"])
	assert.Equal(t, "cordial", gqlErrs[0].Extensions["vendor"])
}

func TestApptivoCreateCustomer(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)

	created, err := goclient.CreateCustomer(ctx, c, goclient.CreateCustomerInput{
		Name:           "Goclient Looms Ltd",
		Website:        ptr("https://looms.example.com"),
		EmailAddresses: []goclient.CustomerEmailInput{{Address: "jacquard@example.com"}},
	})
	require.NoError(t, err)
	require.NotNil(t, created.CreateCustomer)
	assert.NotEmpty(t, created.CreateCustomer.Id)
	assert.Equal(t, "Goclient Looms Ltd", created.CreateCustomer.Name)
	require.NotNil(t, created.CreateCustomer.PrimaryEmail)
	assert.Equal(t, "jacquard@example.com", *created.CreateCustomer.PrimaryEmail)

	found, err := goclient.SearchCustomers(ctx, c, goclient.CustomerSearchInput{Email: ptr("jacquard@example.com")})
	require.NoError(t, err)
	require.NotNil(t, found.SearchCustomers)
	require.Len(t, found.SearchCustomers.Nodes, 1)
	assert.Equal(t, created.CreateCustomer.Id, found.SearchCustomers.Nodes[0].Id)
}

func TestOrttoArchiveAccountsDryRun(t *testing.T) {
	c := newClient(t)
	ids := []string{"106905f9252dad244f055800"} // on the main list, so archivable
	resp, err := goclient.ArchiveAccountsDryRun(testContext(t), c, goclient.AccountSelectionInput{InclusionIds: ids})
	require.NoError(t, err)
	require.NotNil(t, resp.ArchiveAccounts)
	assert.True(t, resp.ArchiveAccounts.DryRun)
	assert.Equal(t, ids, resp.ArchiveAccounts.AffectedIds)
	require.NotNil(t, resp.ArchiveAccounts.AffectedCount)
	assert.Equal(t, 1, *resp.ArchiveAccounts.AffectedCount)
}
