package e2e

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/config"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/costplan"
)

// extensions decodes a reply's extensions.
func extensions(t *testing.T, r *gatewaytest.Response) map[string]json.RawMessage {
	t.Helper()
	var body struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Raw), &body), r.Raw)
	return body.Extensions
}

func TestCostExtension(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	r := e.Query(passThroughQuery, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.NotContains(t, extensions(t, r), costplan.CostKey, "only on request")

	r = e.Query(passThroughQuery, nil, costplan.CostHeader, "true")
	require.Empty(t, r.Errors, r.Raw)
	var cost costplan.Cost
	require.NoError(t, json.Unmarshal(extensions(t, r)[costplan.CostKey], &cost), r.Raw)
	// accounts(first: 20): 10 for the call + 20 × nodes (an object: 1;
	// scalars are free).
	assert.Equal(t, 30, cost.Estimated)
	require.NotNil(t, cost.Limit)
	assert.Equal(t, 1000, *cost.Limit)
	assert.Equal(t, map[string]int{"appdirect": 1}, cost.VendorCalls)

	// Every vendor: the counts are the calls the simulators received.
	e.Sandbox.Recorder.Clear()
	r = e.Query(P1FanOutQuery, nil, costplan.CostHeader, "true")
	require.Empty(t, r.Errors, r.Raw)
	require.NoError(t, json.Unmarshal(extensions(t, r)[costplan.CostKey], &cost), r.Raw)
	for _, v := range config.Vendors {
		assert.Equal(t, len(e.APICalls(v)), cost.VendorCalls[v], v)
		assert.Positive(t, cost.VendorCalls[v], v)
	}
}

func TestDryRunPlanCallsNoVendor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withAPIKeys(t))
	q := `{
		accounts(first: 20) { nodes { id company { industry } } }
		accountLists { id contactCount }
		customers(first: 5) { nodes { person { id } } }
	}`
	r := e.Query(q, nil, "Authorization", "Bearer "+readerKey, costplan.PlanHeader, "true")
	require.Empty(t, r.Errors, r.Raw)
	assert.False(t, r.HasData(), "nothing ran: %s", r.Raw)
	var plan costplan.Plan
	require.NoError(t, json.Unmarshal(extensions(t, r)[costplan.PlanKey], &plan), r.Raw)
	assert.Equal(t, "query", plan.Operation)
	assert.Positive(t, plan.Estimated)
	type step struct {
		path, vendor string
		calls        int
	}
	var got []step
	for _, s := range plan.Steps {
		got = append(got, step{s.Path, s.Vendor, s.Calls})
		assert.NotEmpty(t, s.Batching, s.Path)
	}
	assert.Equal(t, []step{
		{"accounts", "appdirect", 1},
		{"accounts.nodes[].company", "appdirect", 20},
		{"accountLists", "cordial", 1},
		{"accountLists[].contactCount", "cordial", 20},
		{"customers", "apptivo", 1},
		{"customers.nodes[].person", "ortto", 1}, // five people, one batch
	}, got)
	assert.Equal(t, map[string]int{"appdirect": 21, "cordial": 21, "apptivo": 1, "ortto": 1}, plan.VendorCalls)
	for _, v := range config.Vendors {
		assert.Empty(t, e.APICalls(v), "a plan calls no vendor (%s)", v)
	}

	// The same estimate as a real run reports.
	r = e.Query(q, nil, "Authorization", "Bearer "+readerKey, costplan.CostHeader, "true")
	require.Empty(t, r.Errors, r.Raw)
	var cost costplan.Cost
	require.NoError(t, json.Unmarshal(extensions(t, r)[costplan.CostKey], &cost), r.Raw)
	assert.Equal(t, plan.Estimated, cost.Estimated)
}

// A mutation under plan mode is planned, never run, with the read scope
// only; an Idempotency-Key sent with the plan is not spent on it.
func TestDryRunPlanNeverRunsAMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withAPIKeys(t))
	m := `mutation { deleteAccountList(id: "3") { success } }`
	r := e.Query(m, nil, "Authorization", "Bearer "+readerKey, costplan.PlanHeader, "true", "Idempotency-Key", "plan-then-run-1")
	require.Empty(t, r.Errors, r.Raw)
	assert.False(t, r.HasData(), r.Raw)
	var plan costplan.Plan
	require.NoError(t, json.Unmarshal(extensions(t, r)[costplan.PlanKey], &plan), r.Raw)
	assert.Equal(t, "mutation", plan.Operation)
	require.Len(t, plan.Steps, 1)
	assert.Equal(t, "cordial", plan.Steps[0].Vendor)
	assert.Equal(t, "Mutation.deleteAccountList", plan.Steps[0].Field)
	for _, v := range config.Vendors {
		assert.Empty(t, e.APICalls(v), "a plan calls no vendor (%s)", v)
	}

	// The list is still there, and the key still runs the mutation.
	r = e.Query(`{ accountList(id: "3") { name } }`, nil, "Authorization", "Bearer "+readerKey)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"accountList":{"name":"net-promoters"}}`, string(r.Data))
	r = e.Query(m, nil, "Authorization", "Bearer "+adminKey, "Idempotency-Key", "plan-then-run-1")
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"deleteAccountList":{"success":true}}`, string(r.Data))
}

// A plan needs the read scope: it reveals what a query would call and at
// what cost, and a token without read (write-only here) gets FORBIDDEN,
// with no vendor called, whatever it asks to plan.
func TestDryRunPlanNeedsRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNestedScopeKeys(t))
	for _, q := range []string{
		`{ accountLists { id name } }`,
		`mutation { deleteAccountList(id: "3") { success } }`,
	} {
		r := e.Query(q, nil, "Authorization", "Bearer "+nestedWriteOnlyKey, costplan.PlanHeader, "true")
		assert.Equal(t, []string{"FORBIDDEN"}, r.Codes(), r.Raw)
		assert.NotContains(t, r.Raw, costplan.PlanKey)
	}
	for _, v := range []string{"ortto", "apptivo", "appdirect", "cordial"} {
		assert.Empty(t, e.APICalls(v), v)
	}
}
