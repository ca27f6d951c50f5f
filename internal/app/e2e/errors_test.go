package e2e

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/graphqlhttp"
	"github.com/switchyard/switchyard/vendors/cordial"
)

func TestDefaultQueryTouchesAllFourVendors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(gateway.DefaultQuery, nil)
	require.Empty(t, r.Errors, r.Raw)
	var data struct {
		Accounts struct {
			Nodes []struct{ Name string } `json:"nodes"`
		} `json:"accounts"`
		Customers struct {
			Nodes []struct {
				Person *struct {
					Subscriptions []struct{ AudienceName string } `json:"subscriptions"`
				} `json:"person"`
			} `json:"nodes"`
		} `json:"customers"`
		AccountLists []struct{ ContactCount int } `json:"accountLists"`
	}
	r.Into(t, &data)
	assert.Len(t, data.Accounts.Nodes, 3)
	require.Len(t, data.Customers.Nodes, 3)
	assert.NotNil(t, data.Customers.Nodes[0].Person, "Apptivo customer joined to its Ortto person")
	assert.NotEmpty(t, data.AccountLists)
	for _, v := range []string{"ortto", "apptivo", "appdirect", "cordial"} {
		assert.NotEmpty(t, e.Calls(v), v)
	}
	assert.Len(t, e.Calls("ortto"), 1, "all persons in one Ortto call")
	assert.Len(t, e.Calls("apptivo"), 1)
}

// A failing vendor nulls only its own fields; the others are data, and
// the error names the vendor, the HTTP status and a code.
func TestPartialDataWhenOneVendorFails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		vendor, field, code string
		fault               simkit.Fault
	}{
		{"appdirect", "accounts", "VENDOR_UNAVAILABLE", simkit.Fault{Status: 503}},
		{"apptivo", "customers", "VENDOR_ERROR", simkit.Fault{Status: 500}},
		{"cordial", "accountLists", "VENDOR_RATE_LIMITED", simkit.Fault{Status: 429, RetryAfterSeconds: 7}},
		{"ortto", "people", "VENDOR_AUTH_FAILED", simkit.Fault{Status: 401}},
		{"cordial", "accountLists", "VENDOR_ERROR", simkit.Fault{Malformed: true}},
	}
	query := `{
		accounts(first: 1) { nodes { name } }
		customers(first: 1) { nodes { name } }
		accountLists { name }
		people(refs: [{email: "ada.lovelace@example.com"}]) { id }
	}`
	for _, tc := range cases {
		t.Run(tc.vendor+"/"+tc.code, func(t *testing.T) {
			e := newEnv(t)
			tc.fault.Vendor = tc.vendor
			e.Sandbox.Faults.Set(tc.fault)
			r := e.Query(query, nil)
			assert.Equal(t, http.StatusOK, r.Status)
			require.Len(t, r.Errors, 1, r.Raw)
			got := r.Errors[0]
			assert.Equal(t, tc.code, got.Extensions["code"])
			assert.Equal(t, tc.vendor, got.Extensions["vendor"])
			assert.Equal(t, []any{tc.field}, got.Path)
			if tc.fault.Status != 0 {
				assert.EqualValues(t, tc.fault.Status, got.Extensions["httpStatus"])
			}
			if tc.fault.RetryAfterSeconds != 0 {
				assert.EqualValues(t, tc.fault.RetryAfterSeconds, got.Extensions["retryAfterSeconds"])
			}
			var data map[string]any
			r.Into(t, &data)
			for _, f := range []string{"accounts", "customers", "accountLists", "people"} {
				if f == tc.field {
					assert.Nil(t, data[f], f)
				} else {
					assert.NotNil(t, data[f], "%s should survive a %s failure", f, tc.vendor)
				}
			}
		})
	}
}

// Input the schema cannot reject is refused before any vendor call.
func TestInvalidInputNeverReachesAVendor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct{ name, query string }{
		{"empty person ref", `{ person(ref: {}) { id } }`},
		{"blank person ref", `{ people(refs: [{email: "a@b.c"}, {email: "  "}]) { id } }`},
		{"selection with nothing", `mutation { archiveAccounts(input: {}) { archivedAccounts } }`},
		{"ids and all rows", `mutation { deleteAccounts(input: {inclusionIds: ["a"], allRowsSelected: true}) { deletedAccounts } }`},
		{"blank id", `mutation { restoreAccounts(input: {inclusionIds: [""]}) { restoredAccounts } }`},
		{"empty list name", `mutation { createAccountList(input: {name: ""}) { id } }`},
		{"bad list name", `mutation { createAccountList(input: {name: "no spaces"}) { id } }`},
		{"reserved list name", `mutation { createAccountList(input: {name: "cid"}) { id } }`},
		{"non-numeric list id", `{ accountList(id: "abc") { name } }`},
		{"empty list update", `mutation { updateAccountList(id: "1", input: {}) { id } }`},
		{"first and last", `{ accounts(first: 1, last: 1) { nodes { id } } }`},
		{"page too big", `{ accounts(first: 1000) { nodes { id } } }`},
		{"negative page", `{ customers(first: -1) { nodes { id } } }`},
		{"foreign cursor", `{ customers(after: "not-a-cursor") { nodes { id } } }`},
		{"non-numeric customer id", `{ customer(id: "abc") { name } }`},
		{"blank customer name", `mutation { createCustomer(input: {name: " "}) { id } }`},
		{"bad email", `mutation { createCustomer(input: {name: "x", emailAddresses: [{address: "nope"}]}) { id } }`},
		{"empty update", `mutation { updateCustomer(id: "1001", input: {}) { id } }`},
		{"empty search", `{ searchCustomers(filter: {}) { nodes { id } } }`},
		{"blank account id", `mutation { deleteAccount(input: {accountId: ""}) { success } }`},
		{"blank external id", `{ accountByExternalId(externalId: "") { id } }`},
		{"bad time", `{ accounts(filter: {createdAfter: "yesterday"}) { nodes { id } } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.Sandbox.Recorder.Clear()
			r := e.Query(tc.query, nil)
			require.NotEmpty(t, r.Errors, r.Raw)
			for _, c := range r.Codes() {
				assert.Contains(t, []string{"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}, c, r.Raw)
			}
			assert.Empty(t, e.Sandbox.Recorder.Entries(), "nothing is sent to a vendor for invalid input")
		})
	}
}

func TestUnconfiguredVendorIsNotSimulated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, gatewaytest.WithOnly(cordial.Name))
	r := e.Query(`{ accountLists { name } customers { nodes { name } } gateway { sandbox vendors { name configured } } }`, nil)
	require.Len(t, r.Errors, 1, r.Raw)
	assert.Equal(t, "VENDOR_NOT_CONFIGURED", r.Errors[0].Extensions["code"])
	assert.Equal(t, "apptivo", r.Errors[0].Extensions["vendor"])
	assert.Contains(t, string(r.Data), `"accountLists":[{`)
	assert.Empty(t, e.Calls("apptivo"))
}

func TestHTTPErrorsFollowGraphQLOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name       string
		method, ct string
		body       string
		accept     string
		status     int
		code       string
	}{
		{"syntax error", "POST", "application/json", `{"query":"{ accounts { "}`, "application/graphql-response+json", 400, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", "POST", "application/json", `{"query":"{ nope }"}`, "application/graphql-response+json", 400, "GRAPHQL_VALIDATION_FAILED"},
		{"not JSON", "POST", "application/json", `{"query":`, "application/json", 400, ""},
		{"wrong content type", "POST", "text/plain", `{"query":"{ gateway { version } }"}`, "", 415, "BAD_REQUEST"},
		{"too large", "POST", "application/json", `{"query":"` + strings.Repeat(" ", graphqlhttp.MaxBodyBytes) + `{ gateway { version } }"}`, "", 413, "PAYLOAD_TOO_LARGE"},
		{"wrong method", "DELETE", "", "", "", 405, "BAD_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.Server.URL+"/query", bytes.NewBufferString(tc.body))
			require.NoError(t, err)
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			r := e.Send(req)
			assert.Equal(t, tc.status, r.Status, r.Raw)
			require.NotEmpty(t, r.Errors, r.Raw)
			if tc.code != "" {
				assert.Equal(t, tc.code, r.Errors[0].Extensions["code"], r.Raw)
			}
		})
	}

	bad, err := http.NewRequest(http.MethodGet, e.Server.URL+`/query?query=%zz`, nil)
	require.NoError(t, err)
	bad.Header.Set("Apollo-Require-Preflight", "true")
	r := e.Send(bad)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.Codes(), "a broken query string gets a coded error (found by FuzzQueryRequest)")

	req, err := http.NewRequest(http.MethodGet, e.Server.URL+`/query?query=mutation{deleteAccountList(id:"1"){success}}`, nil)
	require.NoError(t, err)
	r = e.Send(req)
	assert.Equal(t, http.StatusMethodNotAllowed, r.Status, "mutations are not allowed over GET: %s", r.Raw)
	assert.Empty(t, e.Calls("cordial"))
}

// No vendor credential appears in a response or a log line, whatever
// fails: vendor errors, timeouts, refused connections.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	secrets := []string{}
	for _, v := range sandbox.Credentials() {
		secrets = append(secrets, v)
	}
	query := `{ accounts(first: 1) { nodes { name } } customers(first: 1) { nodes { name person { id } } } accountLists { name contactCount } people(refs: [{id: "x"}]) { id } company(id: "x") { name } }`
	check := func(t *testing.T, e *env, r *gatewaytest.Response) {
		t.Helper()
		for _, s := range secrets {
			assert.NotContains(t, r.Raw, s, "response leaks a credential")
			assert.NotContains(t, e.Logs.String(), s, "log leaks a credential")
			for k, v := range r.Header {
				assert.NotContains(t, strings.Join(v, " "), s, "header %s leaks a credential", k)
			}
		}
	}
	faults := []simkit.Fault{{Status: 401}, {Status: 403}, {Status: 500}, {Status: 503, RetryAfterSeconds: 1}, {Status: 429, RetryAfterSeconds: 1}, {Malformed: true}, {Reset: true}, {StallMs: 2000}, {LatencyMs: 2000}}
	for _, f := range faults {
		e := newEnv(t, gatewaytest.WithClientTimeout(300*time.Millisecond))
		for _, v := range []string{"ortto", "apptivo", "appdirect", "cordial"} {
			f.Vendor = v
			e.Sandbox.Faults.Set(f)
		}
		r := e.Query(query, nil)
		require.NotEmpty(t, r.Errors, r.Raw)
		check(t, e, r)
	}

	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		dead := "http://" + ln.Addr().String()
		require.NoError(t, ln.Close())
		e := newEnv(t, func(s *gatewaytest.Setup) {
			require.NoError(t, sandbox.ConfigureFor(s.Config, dead))
		})
		r := e.Query(query, nil)
		require.NotEmpty(t, r.Errors, r.Raw)
		for _, c := range r.Codes() {
			assert.Equal(t, "VENDOR_UNAVAILABLE", c, r.Raw)
		}
		check(t, e, r)
	})
}
