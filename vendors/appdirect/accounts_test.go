package appdirect_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// wireGraphQL is a GraphQL request body as the simulator received it.
type wireGraphQL struct {
	Query     string          `json:"query"`
	Variables json.RawMessage `json:"variables"`
}

func (e env) graphqlRequests(t *testing.T) []wireGraphQL {
	t.Helper()
	var out []wireGraphQL
	for _, r := range e.requests("") {
		if r.Path != "/api/graphql" && r.Path != "/api/graphql/preview" {
			continue
		}
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/json", r.Headers["Content-Type"])
		assert.Equal(t, "REDACTED", r.Headers["Authorization"])
		var w wireGraphQL
		require.NoError(t, json.Unmarshal([]byte(r.Body), &w), r.Body)
		out = append(out, w)
	}
	return out
}

func (e env) lastGraphQL(t *testing.T) wireGraphQL {
	t.Helper()
	all := e.graphqlRequests(t)
	require.NotEmpty(t, all)
	return all[len(all)-1]
}

const accountsHead = "query($first: Int, $after: String, $last: Int, $before: String, $filter: AccountFilter, $orderBy: AccountOrderBy) { accounts(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) "

// scalarFields are AccountFields without accountMemberships, the one
// field that brings a page of other records.
var scalarFields = slices.DeleteFunc(slices.Clone(appdirect.AccountFields), func(f string) bool { return f == appdirect.FieldAccountMemberships })

func intp(i int) *int              { return &i }
func strp(s string) *string        { return &s }
func timep(t time.Time) *time.Time { return &t }

func TestAccountsQueryTextHasOnlyTheSelection(t *testing.T) {
	cases := []struct {
		name  string
		sel   appdirect.ConnectionSelection
		query string
	}{
		{"nodes with name", appdirect.ConnectionSelection{Fields: []string{"name"}, Nodes: true},
			accountsHead + "{ nodes { id name } } }"},
		{"id only", appdirect.ConnectionSelection{Nodes: true},
			accountsHead + "{ nodes { id } } }"},
		{"id given twice and repeats dropped", appdirect.ConnectionSelection{Fields: []string{"status", "id", "name", "status"}, Nodes: true},
			accountsHead + "{ nodes { id status name } } }"},
		{"edges with cursor", appdirect.ConnectionSelection{Fields: []string{"externalId"}, Edges: true, Cursor: true},
			accountsHead + "{ edges { cursor node { id externalId } } } }"},
		{"cursor alone", appdirect.ConnectionSelection{Cursor: true},
			accountsHead + "{ edges { cursor } } }"},
		{"page info and count", appdirect.ConnectionSelection{PageInfo: true, TotalCount: true},
			accountsHead + "{ pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }"},
		{"nothing selected", appdirect.ConnectionSelection{},
			accountsHead + "{ __typename } }"},
		{"everything but memberships", appdirect.ConnectionSelection{Fields: scalarFields, Nodes: true, Edges: true, Cursor: true, PageInfo: true, TotalCount: true},
			accountsHead + "{ nodes { id name status accessTypes createdOn defaultRole externalId countryCode website contactEmail contactPhoneNumber companySize contactAddress { street1 street2 city state zip country } tenant } " +
				"edges { cursor node { id name status accessTypes createdOn defaultRole externalId countryCode website contactEmail contactPhoneNumber companySize contactAddress { street1 street2 city state zip country } tenant } } " +
				"pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }"},
	}
	e := setup(t, appdirectsim.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.Accounts(context.Background(), tc.sel, appdirect.AccountsArgs{First: intp(2)})
			require.NoError(t, err, "the simulator validated the query")
			w := e.lastGraphQL(t)
			assert.Equal(t, tc.query, w.Query)
			assert.JSONEq(t, `{"first":2}`, string(w.Variables))
		})
	}

	t.Run("fields name sends no other account field", func(t *testing.T) {
		_, err := e.client.Accounts(context.Background(), appdirect.ConnectionSelection{Fields: []string{"name"}, Nodes: true, Edges: true}, appdirect.AccountsArgs{})
		require.NoError(t, err)
		q := e.lastGraphQL(t).Query
		for _, f := range appdirect.AccountFields {
			if f == "id" || f == "name" {
				continue
			}
			assert.NotContains(t, q, " "+f+" ", f)
		}
		assert.NotContains(t, q, "accountMemberships")
		assert.NotContains(t, q, "$memberships")
		assert.NotContains(t, q, "pageInfo")
		assert.NotContains(t, q, "totalCount")
		assert.NotContains(t, q, "cursor ")
	})
}

func TestAccountsDecodesOnlySelectedParts(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	conn, err := e.client.Accounts(context.Background(), appdirect.ConnectionSelection{Fields: []string{"name"}, Nodes: true}, appdirect.AccountsArgs{First: intp(2)})
	require.NoError(t, err)
	require.Len(t, conn.Nodes, 2)
	assert.Equal(t, appdirect.Account{ID: appdirectsim.DemoBarbaraAccountID, Name: "Switchyard Channel Partners"}, conn.Nodes[0])
	assert.Nil(t, conn.Edges)
	assert.Nil(t, conn.TotalCount)
	assert.Equal(t, appdirect.PageInfo{}, conn.PageInfo)

	full, err := e.client.Accounts(context.Background(), appdirect.ConnectionSelection{Fields: scalarFields, Edges: true, Cursor: true, TotalCount: true, PageInfo: true},
		appdirect.AccountsArgs{Filter: &appdirect.AccountFilter{SearchText: strp("analytical")}})
	require.NoError(t, err)
	require.Len(t, full.Edges, 1)
	require.NotNil(t, full.TotalCount)
	assert.Equal(t, 1, *full.TotalCount)
	assert.NotEmpty(t, full.Edges[0].Cursor)
	created := appdirect.DateTime(time.Date(2021, 3, 4, 9, 15, 0, 0, time.UTC))
	assert.Equal(t, appdirect.Account{
		ID: appdirectsim.DemoAdaAccountID, Name: "Analytical Engines Ltd", Status: "ENABLED", AccessTypes: []string{"CUSTOMER"},
		CreatedOn: &created, DefaultRole: "USER", ExternalID: "ext-ada-001", CountryCode: "GB",
		ContactAddress: &appdirect.Address{Street1: "12 St James's Square", City: "London", Zip: "SW1Y 4JH", Country: "GB"},
		Website:        "https://analytical-engines.example.com", ContactEmail: "ada.lovelace@example.com",
		ContactPhoneNumber: "+44 20 7946 0001", CompanySize: "11-50",
	}, full.Edges[0].Node)
	assert.Equal(t, full.Edges[0].Cursor, *full.PageInfo.StartCursor)
	assert.False(t, full.PageInfo.HasNextPage)
}

func TestUnknownFieldRejectedBeforeAnyCall(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	bad := [][]string{
		{"name", "parentAccount"},
		{"name } evil { id"},
		{"Name"},
		{""},
	}
	for _, fields := range bad {
		_, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Fields: fields, Nodes: true}, appdirect.AccountsArgs{})
		ve := vendorErr(t, err, outbound.KindBadInput)
		assert.Contains(t, ve.Message, "unknown account field")
		_, err = e.client.Account(ctx, "x", fields)
		vendorErr(t, err, outbound.KindBadInput)
		_, err = e.client.AccountByExternalID(ctx, "x", fields)
		vendorErr(t, err, outbound.KindBadInput)
	}
	assert.Empty(t, e.requests(""), "no token fetch, no GraphQL call")
}

func TestAccountsPaginationThroughClient(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	sel := appdirect.ConnectionSelection{Fields: []string{"name"}, Nodes: true, PageInfo: true, TotalCount: true}
	var ids []string
	var after *string
	for page := 0; ; page++ {
		require.Less(t, page, 10, "pagination does not terminate")
		conn, err := e.client.Accounts(ctx, sel, appdirect.AccountsArgs{First: intp(4), After: after})
		require.NoError(t, err)
		assert.Equal(t, 6, *conn.TotalCount)
		for _, n := range conn.Nodes {
			ids = append(ids, n.ID)
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		after = conn.PageInfo.EndCursor
	}
	assert.Equal(t, []string{
		appdirectsim.DemoBarbaraAccountID, appdirectsim.DemoEdsgerAccountID, appdirectsim.DemoAdaAccountID,
		appdirectsim.DemoGraceAccountID, appdirectsim.DemoAlanAccountID, appdirectsim.DemoKatherineAccountID,
	}, ids)

	reqs := e.graphqlRequests(t)
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Query, reqs[1].Query, "the cursor is a variable; the text does not change")
	assert.JSONEq(t, `{"first":4}`, string(reqs[0].Variables))
	var v map[string]any
	require.NoError(t, json.Unmarshal(reqs[1].Variables, &v))
	assert.Equal(t, *after, v["after"])
	assert.EqualValues(t, 4, v["first"])
	assert.NotContains(t, reqs[1].Query, *after)

	t.Run("backward with last and before", func(t *testing.T) {
		conn, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{Last: intp(2), Before: strp(*after)})
		require.NoError(t, err)
		require.Len(t, conn.Nodes, 2)
		// after is page one's end cursor (Grace, 4th): the two before it.
		assert.Equal(t, appdirectsim.DemoEdsgerAccountID, conn.Nodes[0].ID)
		assert.Equal(t, appdirectsim.DemoAdaAccountID, conn.Nodes[1].ID)
		assert.JSONEq(t, `{"last":2,"before":"`+*after+`"}`, string(e.lastGraphQL(t).Variables))
	})
}

func TestAccountsFilterAndOrderTravelAsVariables(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	plus2 := time.FixedZone("+02", 2*3600)
	args := appdirect.AccountsArgs{
		First: intp(10),
		Filter: &appdirect.AccountFilter{
			AccountStatus: strp("ENABLED"),
			AccessType:    strp("CUSTOMER"),
			SearchText:    strp("a"),
			CreatedAfter:  timep(time.Date(2021, 1, 1, 2, 0, 0, 0, plus2)),
			CreatedBefore: timep(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		},
		OrderBy: &appdirect.AccountOrderBy{Field: "NAME", Direction: "DESC"},
	}
	sel := appdirect.ConnectionSelection{Fields: []string{"name", "status"}, Nodes: true}
	conn, err := e.client.Accounts(ctx, sel, args)
	require.NoError(t, err)
	var names []string
	for _, n := range conn.Nodes {
		names = append(names, n.Name)
		assert.Equal(t, "ENABLED", n.Status)
	}
	assert.Equal(t, []string{"Harvard Mark Computing", "Analytical Engines Ltd"}, names)

	w := e.lastGraphQL(t)
	assert.Equal(t, accountsHead+"{ nodes { id name status } } }", w.Query, "arguments never enter the text")
	assert.JSONEq(t, `{
		"first": 10,
		"filter": {"searchText":"a","accountStatus":"ENABLED","accessType":"CUSTOMER","createdBefore":"2030-01-01T00:00:00Z","createdAfter":"2021-01-01T00:00:00Z"},
		"orderBy": {"field":"NAME","direction":"DESC"}
	}`, string(w.Variables))

	t.Run("identical requests are byte-identical", func(t *testing.T) {
		_, err := e.client.Accounts(ctx, sel, args)
		require.NoError(t, err)
		reqs := e.requests("/api/graphql")
		require.GreaterOrEqual(t, len(reqs), 2)
		assert.Equal(t, reqs[len(reqs)-2].Body, reqs[len(reqs)-1].Body)
	})

	t.Run("text that looks like GraphQL stays data", func(t *testing.T) {
		conn, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true, TotalCount: true},
			appdirect.AccountsArgs{Filter: &appdirect.AccountFilter{SearchText: strp(`") { nodes { id } } #`)}})
		require.NoError(t, err)
		assert.Equal(t, 0, *conn.TotalCount)
		assert.NotContains(t, e.lastGraphQL(t).Query, "#")
	})
}

func TestGraphQLErrorsMapToKinds(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	cases := []struct {
		name   string
		args   appdirect.AccountsArgs
		kind   outbound.Kind
		status int
		code   string
		msg    string
	}{
		{"first and last", appdirect.AccountsArgs{First: intp(1), Last: intp(1)}, outbound.KindBadInput, 200, "BAD_USER_INPUT", "first and last cannot be used together"},
		{"page too large", appdirect.AccountsArgs{First: intp(500)}, outbound.KindBadInput, 200, "BAD_USER_INPUT", "first must be between 0 and 100"},
		{"bad cursor", appdirect.AccountsArgs{After: strp("bogus")}, outbound.KindBadInput, 200, "BAD_USER_INPUT", "after"},
		{"bad enum value", appdirect.AccountsArgs{Filter: &appdirect.AccountFilter{AccountStatus: strp("ACTIVE")}}, outbound.KindBadInput, 422, "GRAPHQL_VALIDATION_FAILED", "ACTIVE"},
		{"bad order field", appdirect.AccountsArgs{OrderBy: &appdirect.AccountOrderBy{Field: "SIZE"}}, outbound.KindBadInput, 422, "GRAPHQL_VALIDATION_FAILED", "SIZE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, tc.args)
			ve := vendorErr(t, err, tc.kind)
			assert.Equal(t, tc.status, ve.HTTPStatus)
			assert.Equal(t, tc.code, ve.Code)
			assert.Contains(t, ve.Message, tc.msg)
			assert.Equal(t, "list accounts", ve.Operation)
		})
	}
}

func TestAccountLookups(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()

	a, err := e.client.Account(ctx, appdirectsim.DemoAlanAccountID, []string{"name", "status", "accessTypes"})
	require.NoError(t, err)
	assert.Equal(t, &appdirect.Account{ID: appdirectsim.DemoAlanAccountID, Name: "Bletchley Codebreakers", Status: "ENABLED_WITHOUT_LOGIN", AccessTypes: []string{"CUSTOMER", "RESELLER"}}, a)
	w := e.lastGraphQL(t)
	assert.Equal(t, "query($id: ID!) { account(id: $id) { id name status accessTypes } }", w.Query)
	assert.JSONEq(t, `{"id":"`+appdirectsim.DemoAlanAccountID+`"}`, string(w.Variables))

	a, err = e.client.Account(ctx, "no-such-account", []string{"name"})
	require.NoError(t, err)
	assert.Nil(t, a, "AppDirect's null is (nil, nil)")

	a, err = e.client.AccountByExternalID(ctx, "ext-edsger-005", []string{"contactEmail"})
	require.NoError(t, err)
	assert.Equal(t, &appdirect.Account{ID: appdirectsim.DemoEdsgerAccountID, ContactEmail: "edsger.dijkstra@example.com"}, a)
	w = e.lastGraphQL(t)
	assert.Equal(t, "query($externalId: String!) { accountByExternalId(externalId: $externalId) { id contactEmail } }", w.Query)
	assert.JSONEq(t, `{"externalId":"ext-edsger-005"}`, string(w.Variables))

	a, err = e.client.AccountByExternalID(ctx, "nope", nil)
	require.NoError(t, err)
	assert.Nil(t, a)

	before := len(e.requests(""))
	_, err = e.client.Account(ctx, "", nil)
	vendorErr(t, err, outbound.KindBadInput)
	_, err = e.client.AccountByExternalID(ctx, " ", nil)
	vendorErr(t, err, outbound.KindBadInput)
	assert.Len(t, e.requests(""), before, "empty ids never reach the vendor")
}

func TestDeleteAccount(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		id   string
		kind outbound.Kind
		code string
		msg  string
	}{
		{"memberships", appdirectsim.DemoGraceAccountID, outbound.KindFailedPrecondition, "ACCOUNT_HAS_MEMBERSHIPS", "5 account membership"},
		{"active subscriptions", appdirectsim.DemoAlanAccountID, outbound.KindFailedPrecondition, "ACCOUNT_HAS_ACTIVE_SUBSCRIPTIONS", "1 active subscription"},
		{"both", appdirectsim.DemoAdaAccountID, outbound.KindFailedPrecondition, "ACCOUNT_HAS_MEMBERSHIPS", "active subscription"},
		{"unknown", "no-such-account", outbound.KindNotFound, "ACCOUNT_NOT_FOUND", "no-such-account"},
	}
	e := setup(t, appdirectsim.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.client.DeleteAccount(ctx, tc.id)
			ve := vendorErr(t, err, tc.kind)
			require.NotNil(t, res, "the payload comes with the error")
			assert.False(t, res.Success)
			require.NotEmpty(t, res.UserErrors)
			assert.Equal(t, tc.code, res.UserErrors[0].Code)
			assert.Contains(t, res.UserErrors[len(res.UserErrors)-1].Message, tc.msg)
			assert.Equal(t, tc.code, ve.Code)
			assert.Contains(t, ve.Message, tc.msg)
			assert.Equal(t, []string{tc.id}, ve.IDs)
			assert.Equal(t, "delete account", ve.Operation)
			assert.False(t, ve.Retryable)
		})
	}

	t.Run("success removes account and company", func(t *testing.T) {
		res, err := e.client.DeleteAccount(ctx, appdirectsim.DemoKatherineAccountID)
		require.NoError(t, err)
		assert.Equal(t, &appdirect.DeleteAccountResult{Success: true, UserErrors: []appdirect.UserError{}}, res)
		previews := e.requests("/api/graphql/preview")
		require.Len(t, previews, len(cases)+1, "deleteAccount is in Preview status: every call goes to the preview endpoint")
		w := e.lastGraphQL(t)
		assert.Equal(t, "mutation ($input:DeleteAccountInput!){deleteAccount(input: $input){success,userErrors{code,message}}}", w.Query)
		assert.JSONEq(t, `{"input":{"accountId":"`+appdirectsim.DemoKatherineAccountID+`"}}`, string(w.Variables))

		a, err := e.client.Account(ctx, appdirectsim.DemoKatherineAccountID, nil)
		require.NoError(t, err)
		assert.Nil(t, a)
		assert.Equal(t, "/api/graphql", e.requests("")[len(e.requests(""))-1].Path, "queries stay on the production endpoint")
		_, err = e.client.GetCompany(ctx, appdirectsim.DemoKatherineAccountID)
		vendorErr(t, err, outbound.KindNotFound)
		err = errOf(e.client.DeleteAccount(ctx, appdirectsim.DemoKatherineAccountID))
		vendorErr(t, err, outbound.KindNotFound)
	})

	t.Run("empty id is bad input without a call", func(t *testing.T) {
		before := len(e.requests(""))
		vendorErr(t, errOf(e.client.DeleteAccount(ctx, " ")), outbound.KindBadInput)
		assert.Len(t, e.requests(""), before)
	})
}

func TestGraphQLPathOptions(t *testing.T) {
	e := setup(t, appdirectsim.Options{}, func(c *appdirect.Config) { c.GraphQLPath = "/api/graphql/preview" })
	_, err := e.client.Account(context.Background(), appdirectsim.DemoAdaAccountID, nil)
	require.NoError(t, err)
	reqs := e.requests("/api/graphql/preview")
	require.Len(t, reqs, 1, "the path stays relative to the base URL")

	// A preview path that is not the simulator's: the mutation goes there
	// (and gets 404), proving the option is what decides.
	e = setup(t, appdirectsim.Options{}, func(c *appdirect.Config) { c.PreviewGraphQLPath = "/elsewhere/preview" })
	_, err = e.client.DeleteAccount(context.Background(), appdirectsim.DemoKatherineAccountID)
	vendorErr(t, err, outbound.KindNotFound)
	require.Len(t, e.requests("/elsewhere/preview"), 1)
}

func TestGraphQLUnauthorizedIsAuth(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()
	_, err := e.client.Account(ctx, appdirectsim.DemoAdaAccountID, nil)
	require.NoError(t, err)
	// A token the server no longer honours (e.g. the marketplace rotated its
	// keys) is a 401 with Spring's body.
	e.sim.Faults().Set(simkit.Fault{Vendor: "appdirect", Status: 401})
	_, err = e.client.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{})
	ve := vendorErr(t, err, outbound.KindAuth)
	assert.Equal(t, "invalid_token", ve.Code)
	assert.Equal(t, "Invalid access token", ve.Message)
	assert.False(t, strings.Contains(ve.Error(), "Bearer"))
}

const membershipsSel = "accountMemberships(first: $membershipsFirst, after: $membershipsAfter) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { user { id email firstName lastName } roles } }"

// TestAccountMembershipsProjection: accountMemberships and its variables
// go on the wire only when the field is selected, its page arguments
// travel as variables, and the page decodes.
func TestAccountMembershipsProjection(t *testing.T) {
	e := setup(t, appdirectsim.Options{})
	ctx := context.Background()

	t.Run("not selected: not asked for, args not sent", func(t *testing.T) {
		a, err := e.client.Account(ctx, appdirectsim.DemoBarbaraAccountID, []string{"name"}, appdirect.MembershipsArgs{First: intp(3)})
		require.NoError(t, err)
		assert.Nil(t, a.AccountMemberships)
		w := e.lastGraphQL(t)
		assert.Equal(t, "query($id: ID!) { account(id: $id) { id name } }", w.Query)
		assert.JSONEq(t, `{"id":"`+appdirectsim.DemoBarbaraAccountID+`"}`, string(w.Variables))

		conn, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Fields: []string{"name"}, Nodes: true},
			appdirect.AccountsArgs{First: intp(2), Memberships: appdirect.MembershipsArgs{First: intp(1)}})
		require.NoError(t, err)
		assert.Nil(t, conn.Nodes[0].AccountMemberships)
		w = e.lastGraphQL(t)
		assert.Equal(t, accountsHead+"{ nodes { id name } } }", w.Query)
		assert.JSONEq(t, `{"first":2}`, string(w.Variables))
	})

	t.Run("one account, paged", func(t *testing.T) {
		a, err := e.client.Account(ctx, appdirectsim.DemoBarbaraAccountID, []string{appdirect.FieldAccountMemberships}, appdirect.MembershipsArgs{First: intp(3)})
		require.NoError(t, err)
		w := e.lastGraphQL(t)
		assert.Equal(t, "query($id: ID!, $membershipsFirst: Int, $membershipsAfter: String) { account(id: $id) { id "+membershipsSel+" } }", w.Query)
		assert.JSONEq(t, `{"id":"`+appdirectsim.DemoBarbaraAccountID+`","membershipsFirst":3}`, string(w.Variables))
		m := a.AccountMemberships
		require.NotNil(t, m)
		require.NotNil(t, m.TotalCount)
		assert.Equal(t, 8, *m.TotalCount)
		require.Len(t, m.Nodes, 3)
		assert.Equal(t, appdirect.Membership{
			User:  appdirect.MemberUser{ID: "u-barbara-liskov", Email: "barbara.liskov@example.com", FirstName: "Barbara", LastName: "Liskov"},
			Roles: []string{"SYS_ADMIN", "CHANNEL_ADMIN", "USER"},
		}, m.Nodes[0])
		assert.True(t, m.PageInfo.HasNextPage)
		require.NotNil(t, m.PageInfo.EndCursor)

		next, err := e.client.Account(ctx, appdirectsim.DemoBarbaraAccountID, []string{appdirect.FieldAccountMemberships},
			appdirect.MembershipsArgs{First: intp(3), After: m.PageInfo.EndCursor})
		require.NoError(t, err)
		assert.JSONEq(t, `{"id":"`+appdirectsim.DemoBarbaraAccountID+`","membershipsFirst":3,"membershipsAfter":"`+*m.PageInfo.EndCursor+`"}`, string(e.lastGraphQL(t).Variables))
		require.Len(t, next.AccountMemberships.Nodes, 3)
		assert.Equal(t, "u-stephen-zilles", next.AccountMemberships.Nodes[0].User.ID)
		assert.True(t, next.AccountMemberships.PageInfo.HasPreviousPage)
	})

	t.Run("by external id, default page", func(t *testing.T) {
		a, err := e.client.AccountByExternalID(ctx, "ext-grace-002", []string{appdirect.FieldAccountMemberships, "name"})
		require.NoError(t, err)
		w := e.lastGraphQL(t)
		assert.Equal(t, "query($externalId: String!, $membershipsFirst: Int, $membershipsAfter: String) { accountByExternalId(externalId: $externalId) { id "+membershipsSel+" name } }", w.Query)
		assert.JSONEq(t, `{"externalId":"ext-grace-002"}`, string(w.Variables))
		require.Len(t, a.AccountMemberships.Nodes, 5)
		assert.Equal(t, "jean.sammet@example.com", a.AccountMemberships.Nodes[4].User.Email)
	})

	t.Run("every account of a page", func(t *testing.T) {
		conn, err := e.client.Accounts(ctx, appdirect.ConnectionSelection{Fields: []string{appdirect.FieldAccountMemberships}, Edges: true},
			appdirect.AccountsArgs{First: intp(2), Memberships: appdirect.MembershipsArgs{First: intp(1)}})
		require.NoError(t, err)
		w := e.lastGraphQL(t)
		assert.Equal(t, "query($first: Int, $after: String, $last: Int, $before: String, $filter: AccountFilter, $orderBy: AccountOrderBy, $membershipsFirst: Int, $membershipsAfter: String) "+
			"{ accounts(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) { edges { node { id "+membershipsSel+" } } } }", w.Query)
		assert.JSONEq(t, `{"first":2,"membershipsFirst":1}`, string(w.Variables))
		require.Len(t, conn.Edges, 2)
		// Default order is DATE ascending: Barbara (8 members), then Edsger (2).
		assert.Equal(t, 8, *conn.Edges[0].Node.AccountMemberships.TotalCount)
		assert.Len(t, conn.Edges[0].Node.AccountMemberships.Nodes, 1)
		assert.Equal(t, "u-edsger-dijkstra", conn.Edges[1].Node.AccountMemberships.Nodes[0].User.ID)

		// Selected, but no nodes or edges: nothing to put it in, no variables declared.
		_, err = e.client.Accounts(ctx, appdirect.ConnectionSelection{Fields: []string{appdirect.FieldAccountMemberships}, TotalCount: true},
			appdirect.AccountsArgs{Memberships: appdirect.MembershipsArgs{First: intp(1)}})
		require.NoError(t, err, "the simulator refuses unused variables")
		w = e.lastGraphQL(t)
		assert.Equal(t, accountsHead+"{ totalCount } }", w.Query)
		assert.NotContains(t, string(w.Variables), "memberships")
	})

	t.Run("two page arguments are refused", func(t *testing.T) {
		before := len(e.requests(""))
		_, err := e.client.Account(ctx, "x", []string{appdirect.FieldAccountMemberships}, appdirect.MembershipsArgs{}, appdirect.MembershipsArgs{})
		vendorErr(t, err, outbound.KindBadInput)
		assert.Len(t, e.requests(""), before)
	})
}
