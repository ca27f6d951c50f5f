package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// A dry run of a destructive mutation shows the record it would remove and
// makes no vendor mutation call.
func TestDryRunsCallNoVendorMutation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, query, vendor, want string
	}{
		{"deleteAccount", `mutation { deleteAccount(input: {accountId: "` + appdirectsim.DemoKatherineAccountID + `"}, dryRun: true) { success dryRun account { name } } }`,
			"appdirect", `{"deleteAccount":{"success":false,"dryRun":true,"account":{"name":"Langley Flight Research"}}}`},
		{"deleteCustomer", `mutation { deleteCustomer(id: "1003", dryRun: true) { id success dryRun customer { name } } }`,
			"apptivo", `{"deleteCustomer":{"id":"1003","success":false,"dryRun":true,"customer":{"name":"Turing Machines Ltd"}}}`},
		{"clearAccountList", `mutation { clearAccountList(id: "2", dryRun: true) { success dryRun accountList { name contactCount } } }`,
			"cordial", `{"clearAccountList":{"success":false,"dryRun":true,"accountList":{"name":"weekly_specials","contactCount":4}}}`},
		{"deleteAccountList", `mutation { deleteAccountList(id: "3", dryRun: true) { dryRun accountList { name } } }`,
			"cordial", `{"deleteAccountList":{"dryRun":true,"accountList":{"name":"net-promoters"}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.Query(tc.query, nil)
			require.Empty(t, r.Errors, r.Raw)
			assert.JSONEq(t, tc.want, string(r.Data))
			for _, c := range e.Calls(tc.vendor) {
				isMutation := c.Method == "DELETE" || c.Method == "PUT" ||
					strings.Contains(c.Query, "a=delete") || strings.Contains(c.Body, "deleteAccount")
				assert.False(t, isMutation, "dry run sent a mutation: %s %s %s", c.Method, c.Path, c.Body)
			}
		})
	}

	t.Run("unknown record", func(t *testing.T) {
		e := newEnv(t)
		r := e.Query(`mutation { deleteAccount(input: {accountId: "00000000-0000-0000-0000-000000000000"}, dryRun: true) { dryRun } }`, nil)
		assert.Equal(t, []string{"NOT_FOUND"}, r.Codes(), r.Raw)
	})
}

func TestOrttoBulkDryRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`mutation {
		archiveAccounts(input: {inclusionIds: ["106905f9252dad244f055800", "10690a3d5e2dad244f0c3400", "ffffffffffffffffffffffff"]}, dryRun: true) { dryRun affectedIds affectedCount archivedAccounts }
	}`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"archiveAccounts":{"dryRun":true,"affectedIds":["106905f9252dad244f055800"],"affectedCount":1,"archivedAccounts":0}}`, string(r.Data),
		"only the account in the main list would be archived")
	r = e.Query(`mutation { deleteAccounts(input: {allRowsSelected: true, exclusionIds: ["10690a3d5e2dad244f0c3400"]}, dryRun: true) { dryRun affectedIds affectedCount } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"deleteAccounts":{"dryRun":true,"affectedIds":["10690a4e6f2dad244f0d4500"],"affectedCount":1}}`, string(r.Data))
	for _, c := range e.Calls("ortto") {
		assert.Equal(t, "/v1/accounts/get", c.Path, "a dry run only lists accounts")
	}
	before, err := e.Sandbox.Sim(ortto.Name).State()
	require.NoError(t, err)
	r = e.Query(`mutation { restoreAccounts(input: {allRowsSelected: true}, dryRun: true) { affectedCount } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"restoreAccounts":{"affectedCount":2}}`, string(r.Data))
	after, err := e.Sandbox.Sim(ortto.Name).State()
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after), "nothing changed")
}
