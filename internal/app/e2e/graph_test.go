package e2e

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// seedLinked gives Apptivo n customers and Ortto n people sharing their
// emails, so that every customer links to a person.
func seedLinked(t testing.TB, e *env, n int) {
	t.Helper()
	type email struct {
		EmailAddress  string `json:"emailAddress"`
		EmailTypeCode string `json:"emailTypeCode"`
	}
	type customer struct {
		CustomerID     int64   `json:"customerId"`
		ID             string  `json:"id"`
		CustomerName   string  `json:"customerName"`
		EmailAddresses []email `json:"emailAddresses"`
	}
	type subscription struct {
		AudienceID   string `json:"audience_id"`
		AudienceName string `json:"audience_name"`
		Subscribed   bool   `json:"subscribed"`
	}
	type person struct {
		PersonID      string         `json:"person_id"`
		Email         string         `json:"email"`
		Subscriptions []subscription `json:"subscriptions"`
	}
	customers := make([]customer, 0, n)
	people := make([]person, 0, n)
	for i := range n {
		addr := fmt.Sprintf("person%03d@example.com", i)
		customers = append(customers, customer{CustomerID: int64(5000 + i), ID: fmt.Sprint(5000 + i), CustomerName: fmt.Sprintf("Customer %03d", i), EmailAddresses: []email{{addr, "BUSINESS"}}})
		people = append(people, person{PersonID: fmt.Sprintf("%024x", 0xabc000+i), Email: addr, Subscriptions: []subscription{{"625f7213a914327aa1999b43", "Weekly updates", i%2 == 0}}})
	}
	doc, err := json.Marshal(map[string]any{"customers": customers})
	require.NoError(t, err)
	require.NoError(t, e.Sandbox.Sim(apptivo.Name).SetState(doc))
	doc, err = json.Marshal(map[string]any{"people": people, "accounts": []any{}})
	require.NoError(t, err)
	require.NoError(t, e.Sandbox.Sim(ortto.Name).SetState(doc))
	e.Sandbox.Recorder.Clear()
}

// P2: a page of customers with each one's Ortto person costs one Apptivo
// and one Ortto call, whatever the aliases.
func TestCustomersWithPeopleCostTwoCalls(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, query string }{
		{"plain", `{ customers(first: 100) { nodes { name person { subscriptions { audienceName subscribed } } } } }`},
		{"aliased twice", `{ a: customers(first: 100) { nodes { name person { subscriptions { audienceName subscribed } } } }
			b: customers(first: 100) { nodes { n: name p: person { id s: subscriptions { subscribed } } } } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			seedLinked(t, e, 100)
			r := e.Query(tc.query, nil)
			require.Empty(t, r.Errors, r.Raw)
			assert.Len(t, e.Calls("apptivo"), 1, "one Apptivo call")
			assert.Len(t, e.Calls("ortto"), 1, "one Ortto call for all 100 people")
			var data map[string]struct {
				Nodes []map[string]any `json:"nodes"`
			}
			r.Into(t, &data)
			for alias, conn := range data {
				require.Len(t, conn.Nodes, 100, alias)
				for _, n := range conn.Nodes {
					if n["person"] == nil && n["p"] == nil {
						t.Fatalf("%s: customer %v has no person", alias, n)
					}
				}
			}
		})
	}
}

// Past Ortto's batch size, people go out in batches of at most 100.
func TestPeopleBatchesAtVendorLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedLinked(t, e, 150)
	refs := make([]map[string]any, 0, 150)
	for i := range 150 {
		refs = append(refs, map[string]any{"email": fmt.Sprintf("person%03d@example.com", i)})
	}
	r := e.Query(`query($refs: [PersonRef!]!) { people(refs: $refs) { id } }`, map[string]any{"refs": refs})
	require.Empty(t, r.Errors, r.Raw)
	calls := e.Calls("ortto")
	require.Len(t, calls, 2)
	for _, c := range calls {
		var body struct {
			People []any `json:"people"`
		}
		require.NoError(t, json.Unmarshal([]byte(c.Body), &body))
		assert.LessOrEqual(t, len(body.People), 100)
	}
}

func TestPersonCustomersLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`{ people(refs: [{email: "ada.lovelace@example.com"}, {email: "edsger.dijkstra@example.com"}, {id: "00650c1e8a2f4b6d3e9a1c00"}]) { email customers { name } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	var data struct {
		People []struct {
			Email     *string `json:"email"`
			Customers []struct {
				Name string `json:"name"`
			} `json:"customers"`
		} `json:"people"`
	}
	r.Into(t, &data)
	require.Len(t, data.People, 3)
	require.Len(t, data.People[0].Customers, 1)
	assert.Equal(t, "Analytical Engines Ltd", data.People[0].Customers[0].Name)
	assert.Empty(t, data.People[1].Customers, "Edsger has no Apptivo customer")
	assert.Len(t, e.Calls("apptivo"), 2, "one search per distinct email; the person found by id is the same person as the first but carries no email")
}

// P3: identical reads in flight at once share one upstream call.
func TestConcurrentIdenticalReadsShareUpstreamCalls(t *testing.T) {
	t.Parallel()
	const clients = 200
	for name, tc := range map[string]struct {
		opts  []gatewaytest.Option
		check func(t *testing.T, perRequest float64)
	}{
		"shared by default": {check: func(t *testing.T, perRequest float64) { assert.Less(t, perRequest, 0.7) }},
		"SWITCHYARD_DEDUP=0: one call each": {
			opts:  []gatewaytest.Option{func(s *gatewaytest.Setup) { s.Config.NoDedup = true }},
			check: func(t *testing.T, perRequest float64) { assert.InDelta(t, 1.0, perRequest, 0.001) },
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, tc.opts...)
			e.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", LatencyMs: 50})
			require.Empty(t, queryAtOnce(e, clients, `{ accountLists { id name } }`), "requests failed")
			calls := len(e.Calls("cordial"))
			t.Logf("%d Cordial calls for %d client requests (%.3f per request)", calls, clients, float64(calls)/clients)
			tc.check(t, float64(calls)/clients)
		})
	}
}

func TestMutationsAreNeverShared(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", LatencyMs: 30})
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Query(fmt.Sprintf(`mutation { createAccountList(input: {name: "list-%d"}) { id } }`, i), nil)
		}()
	}
	wg.Wait()
	wg.Add(2)
	for range 2 {
		go func() {
			defer wg.Done()
			e.Query(`mutation { clearAccountList(id: "2") { success } }`, nil)
		}()
	}
	wg.Wait()
	posts, clears := 0, 0
	for _, c := range e.Calls("cordial") {
		switch {
		case c.Method == "POST":
			posts++
		case c.Method == "PUT":
			clears++
		}
	}
	assert.Equal(t, 5, posts)
	assert.Equal(t, 2, clears, "two identical clears in flight are two vendor calls")
}
