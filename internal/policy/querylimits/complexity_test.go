package querylimits

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// TestCostTable checks the costs documented on Complexity, one row at a
// time, with the same calculation the limit runs.
func TestCostTable(t *testing.T) {
	es := testCosts(t).Schema(generated.NewExecutableSchema(generated.Config{}))
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	refs := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"id": fmt.Sprint(i)}
		}
		return out
	}
	cases := []struct {
		query string
		vars  map[string]any
		want  int
	}{
		{`{ gateway { version sandbox } }`, nil, 1},
		{`{ gateway { vendors { name } } }`, nil, 2},
		{`{ customers(first: 20) { nodes { name person { id } } } }`, nil, 10 + 20*(1+1)},
		{`{ customers { totalCount nodes { id } } }`, nil, 10 + 20*1},
		{`{ customers(first: 500) { nodes { id } } }`, nil, 10 + 100*1},
		{`{ companies(size: 50) { nodes { id links { rel } } } }`, nil, 10 + 50*(1+1)},
		{`{ companies { nodes { id } } }`, nil, 10 + 20*1},
		{`{ companies(size: 500) { nodes { id } } }`, nil, 10 + 100*1},
		{`{ searchCustomers(filter: {email: "a@b.c"}, first: 5) { nodes { id } } }`, nil, 10 + 5*1},
		{`{ accounts(first: 10) { nodes { id company { industry } } } }`, nil, 10 + 10*(1+5)},
		{`{ accounts(last: 3) { edges { node { id } } } }`, nil, 10 + 3*(1+1)},
		{`{ account(id: "a") { name company { name } } }`, nil, 10 + 5},
		{`{ account(id: "a") { accountMemberships(first: 5) { nodes { user { email } roles } } } }`, nil, 10 + 1 + 5*(1+1)},
		{`{ account(id: "a") { accountMemberships { totalCount nodes { user { id } } } } }`, nil, 10 + 1 + 20*(1+1)},
		{`{ accounts(first: 10) { nodes { accountMemberships(first: 500) { nodes { roles } } } } }`, nil, 10 + 10*(1+1+100*1)},
		{`{ company(id: "a") { name } customerConfig { statuses { name } } }`, nil, 10 + 10 + 1},
		{`{ accountLists { name contactCount } }`, nil, 10 + 20*5},
		{`{ accountLists(name: "x") { contactCount } }`, nil, 10 + 5},
		{`{ accountList(id: "1") { name } }`, nil, 10},
		{`{ people(refs: [{id: "a"}, {id: "b"}]) { id subscriptions { audienceId } } }`, nil, 10 + 2*1},
		{`query($r: [PersonRef!]!) { people(refs: $r) { subscriptions { audienceId } } }`, map[string]any{"r": refs(250)}, 3*10 + 250*1},
		{`{ person(ref: {id: "a"}) { customers { name } } }`, nil, 10 + 10},
		{`{ customer(id: "1") { person { customers { id } } } }`, nil, 10 + 1 + 10},
		{`mutation { createAccountList(input: {name: "x"}) { id } }`, nil, 10},
		{`mutation { deleteCustomer(id: "1", dryRun: true) { customer { id } } }`, nil, 10 + 1},
		{`mutation { archiveAccounts(input: {allRowsSelected: true}) { dryRun } }`, nil, 10},
		{`mutation($ids: [ID!]) { archiveAccounts(input: {inclusionIds: $ids}) { dryRun } }`, map[string]any{"ids": ids(250)}, 30},
		{`mutation($ids: [ID!]) { deleteAccounts(input: {inclusionIds: $ids}) { dryRun } }`, map[string]any{"ids": ids(100)}, 10},
		{`{ __schema { types { name fields { name } } } }`, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(es.Schema(), tc.query)
			require.Empty(t, errs)
			op := doc.Operations[0]
			vars, err := validator.VariableValues(es.Schema(), op, tc.vars)
			require.NoError(t, err)
			got := complexity.Calculate(context.Background(), es, op, vars, scalarsAreFree)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestVendorCallTable checks the plan's count of vendor calls: the
// pre-execution half of SWITCHYARD_MAX_VENDOR_CALLS, and what
// X-Switchyard-Plan shows.
func TestVendorCallTable(t *testing.T) {
	refs := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"email": fmt.Sprintf("p%d@example.com", i)}
		}
		return out
	}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	costs := testCosts(t)
	cases := []struct {
		query string
		vars  map[string]any
		want  int
	}{
		{`{ gateway { version vendors { name } } __typename }`, nil, 0},
		{`{ __schema { types { name fields { name } } } }`, nil, 0},
		{`{ customers(first: 20) { nodes { name person { id } } } }`, nil, 1 + 1}, // the page, and one Ortto batch for every person
		{`{ customers(first: 20) { nodes { person { customers { id } } } } }`, nil, 1 + 1 + 20},
		{`{ accounts(first: 10) { nodes { id company { industry } } } }`, nil, 1 + 10},
		{`{ accounts(first: 10) { nodes { accountMemberships(first: 50) { nodes { user { id } } } } } }`, nil, 1}, // fetched with the accounts
		{`{ accountLists { name contactCount } }`, nil, 1 + 20},
		{`{ account(id: "a") { name } accountList(id: "1") { name } customerConfig { statuses { name } } }`, nil, 3},
		{`query($r: [PersonRef!]!) { people(refs: $r) { id subscriptions { audienceId } } }`, map[string]any{"r": refs(250)}, 3},
		// The query: ten aliases of 1,000 refs, exactly the
		// complexity limit, is 100 Ortto calls.
		{`query($r: [PersonRef!]!) { a: people(refs: $r) { id } b: people(refs: $r) { id } c: people(refs: $r) { id } d: people(refs: $r) { id } e: people(refs: $r) { id } f: people(refs: $r) { id } g: people(refs: $r) { id } h: people(refs: $r) { id } i: people(refs: $r) { id } j: people(refs: $r) { id } }`, map[string]any{"r": refs(1000)}, 100},
		{`{ ...F ... on Query { person(ref: {id: "a"}) { id } } } fragment F on Query { customer(id: "1") { id } }`, nil, 2},
		{`mutation { createAccountList(input: {name: "x"}) { id } }`, nil, 1},
		{`{ _entities(representations: [{__typename: "Customer", id: "1"}, {__typename: "Person", id: "a"}, {__typename: "Person", id: "b"}]) { __typename } }`, nil, 2},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(schema, tc.query)
			require.Empty(t, errs)
			op := doc.Operations[0]
			vars, err := validator.VariableValues(schema, op, tc.vars)
			require.NoError(t, err)
			assert.Equal(t, tc.want, costs.Plan(&graphql.OperationContext{Doc: doc, Operation: op, Variables: vars}).Calls())
		})
	}
}

func TestSaturatingArithmetic(t *testing.T) {
	assert.Equal(t, maxInt, mul(maxInt/2, 3))
	assert.Equal(t, maxInt, add(maxInt, 1))
	assert.Equal(t, 0, mul(0, 5))
	assert.Equal(t, 12, mul(3, 4))
}

// testCosts is the cost model of the registry's vendors at their default
// configuration.
func testCosts(t testing.TB) *Costs {
	t.Helper()
	byVendor := map[string]map[string]vendorkit.Cost{}
	for _, m := range registry.Modules(registry.Entries()) {
		byVendor[m.Name()] = m.Config().Costs()
	}
	costs, err := NewCosts(generated.NewExecutableSchema(generated.Config{}).Schema(), byVendor)
	require.NoError(t, err)
	return costs
}

// TestEveryVendorFieldHasACost: a field that may call a vendor and has
// no cost entry stops the start instead of costing 1; so does an entry
// for a field the schema does not have.
func TestEveryVendorFieldHasACost(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	full := map[string]map[string]vendorkit.Cost{}
	for _, m := range registry.Modules(registry.Entries()) {
		full[m.Name()] = m.Config().Costs()
	}
	_, err := NewCosts(schema, full)
	require.NoError(t, err, "every @hasScope field of the schema has a cost")

	for vendor, costs := range full {
		for name := range costs {
			if strings.HasPrefix(name, "_entities.") {
				continue
			}
			t.Run(name, func(t *testing.T) {
				missing := map[string]map[string]vendorkit.Cost{}
				for v, c := range full {
					missing[v] = maps.Clone(c)
				}
				delete(missing[vendor], name)
				_, err := NewCosts(schema, missing)
				require.ErrorContains(t, err, name)
			})
		}
	}
	typo := map[string]map[string]vendorkit.Cost{"x": {"Query.nope": {}}}
	for v, c := range full {
		typo[v] = c
	}
	_, err = NewCosts(schema, typo)
	require.ErrorContains(t, err, "Query.nope is not a schema field")
}
