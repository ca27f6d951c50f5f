package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

// heavyPeople is `people(refs: $rI) { id }` under n aliases, each with
// its own 1,000 refs that the simulator does not know: distinct people, so
// the loader cannot share them, 10 Ortto calls per alias.
func heavyPeople(n int) (string, map[string]any) {
	var b, params strings.Builder
	vars := map[string]any{}
	for i := range n {
		fmt.Fprintf(&params, "$r%d: [PersonRef!]! ", i)
		fmt.Fprintf(&b, " a%d: people(refs: $r%d) { id }", i, i)
		refs := make([]map[string]any, 1000)
		for j := range refs {
			refs[j] = map[string]any{"email": fmt.Sprintf("load-%d-%d@example.com", i, j)}
		}
		vars[fmt.Sprintf("r%d", i)] = refs
	}
	return "query Heavy(" + params.String() + ") {" + b.String() + " }", vars
}

func withMaxVendorCalls(n int) gatewaytest.Option {
	return func(s *gatewaytest.Setup) { s.Config.QueryLimits.MaxVendorCalls = n }
}

// TestVendorCallBudgetBeforeExecution: the query was ten aliases
// of people with 1,000 refs each (100 Ortto calls at exactly the
// complexity limit); its variables are now over the 20,000-value cap, so
// nine aliases (90 calls, under the complexity limit) stand for it: the
// default budget of 50 refuses them before any call. Four (40 calls
// estimated) run: not five, whose 50 estimated calls can become 51 when
// the loader's wait dispatches a batch before it is full, and the last
// call then meets the run-time budget.
func TestVendorCallBudgetBeforeExecution(t *testing.T) {
	t.Parallel()
	e := newEnv(t, gatewaytest.WithoutRateLimits())
	q, vars := heavyPeople(9)
	r := e.Query(q, vars, "Accept", "application/graphql-response+json")
	assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
	assert.Equal(t, []string{"VENDOR_BUDGET_EXCEEDED"}, r.Codes(), r.Raw)
	assert.Contains(t, r.Errors[0].Message, "90 vendor calls")
	assert.False(t, r.HasData())
	assert.Zero(t, len(e.APICalls("ortto")), "refused before any vendor call")

	q, vars = heavyPeople(4)
	r = e.Query(q, vars)
	require.Empty(t, r.Errors, "40 calls are within the budget")
	assert.GreaterOrEqual(t, len(e.APICalls("ortto")), 40)
	assert.LessOrEqual(t, len(e.APICalls("ortto")), 50)
}

// TestVendorCallBudgetAtRunTime: the plan counts a list the vendor does
// not page as the default page of 20, so with 25 Cordial lists
// `accountLists { contactCount }` plans 1 + 20 calls and passes a budget
// of 21 before it runs; at run time the calls past it are refused without
// reaching Cordial, and only their fields are null.
func TestVendorCallBudgetAtRunTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxVendorCalls(21), gatewaytest.WithoutRateLimits())
	var lists []string
	for i := range 25 {
		lists = append(lists, fmt.Sprintf(`{"id":%d,"name":"list-%d","enhanced":false,"count":%d}`, i+1, i+1, i))
	}
	req, err := http.NewRequest(http.MethodPut, e.Sandbox.URL()+"/_sim/state/cordial", strings.NewReader(`{"accountlists":[`+strings.Join(lists, ",")+`]}`))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	r := e.Query(`{ accountLists { name contactCount } }`, nil)
	var got struct {
		AccountLists []struct {
			Name         string
			ContactCount *int
		}
	}
	r.Into(t, &got)
	require.Len(t, got.AccountLists, 25, r.Raw)
	counted := 0
	for _, l := range got.AccountLists {
		assert.NotEmpty(t, l.Name)
		if l.ContactCount != nil {
			counted++
		}
	}
	assert.Equal(t, 20, counted, "the budget's 21 calls: the lists, then 20 counts")
	require.Len(t, r.Errors, 5, r.Raw)
	for i, code := range r.Codes() {
		assert.Equal(t, "VENDOR_BUDGET_EXCEEDED", code, r.Raw)
		assert.Equal(t, "contactCount", r.Errors[i].Path[len(r.Errors[i].Path)-1])
	}
	assert.Len(t, e.APICalls("cordial"), 21, "the calls past the budget never reached Cordial")
}

// A batched link is a call too: Customer.person costs one Ortto call per
// batch in the plan, so a budget of 1 refuses this query before it runs
// (on adb9586 the estimate counted the link as free, the query ran, and
// the person lookup was refused at run time).
func TestVendorCallBudgetCountsBatchedLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMaxVendorCalls(1))
	r := e.Query(`{ customers(first: 3) { nodes { name person { id } } } }`, nil, "Accept", "application/graphql-response+json")
	assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
	assert.Equal(t, []string{"VENDOR_BUDGET_EXCEEDED"}, r.Codes(), r.Raw)
	assert.Contains(t, r.Errors[0].Message, "2 vendor calls")
	assert.Empty(t, e.APICalls("apptivo"))
}
