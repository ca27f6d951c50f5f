package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// TestAccountMembershipsArguments: one AppDirect query carries one set of
// accountMemberships arguments, so every selection of the field in a
// query must agree; a bad page size is refused before any vendor call.
func TestAccountMembershipsArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	r := e.Query(`{ accounts(first: 2) {
		nodes { a: accountMemberships(first: 1) { totalCount } }
		edges { node { ...M } } }
	} fragment M on Account { accountMemberships(first: 1) { nodes { user { email } } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	sent := e.graphqlSent()
	require.Len(t, sent, 1, "nodes and edges share one AppDirect call")
	assert.EqualValues(t, 1, sent[0].Variables["membershipsFirst"])
	var got struct {
		Accounts struct {
			Nodes []struct {
				A struct{ TotalCount int }
			}
			Edges []struct {
				Node struct {
					AccountMemberships struct {
						Nodes []struct{ User struct{ Email string } }
					}
				}
			}
		}
	}
	r.Into(t, &got)
	require.Len(t, got.Accounts.Nodes, 2)
	assert.Equal(t, 8, got.Accounts.Nodes[0].A.TotalCount, "Barbara's account comes first by date")
	require.Len(t, got.Accounts.Edges[0].Node.AccountMemberships.Nodes, 1)
	assert.Equal(t, "barbara.liskov@example.com", got.Accounts.Edges[0].Node.AccountMemberships.Nodes[0].User.Email)

	for name, q := range map[string]string{
		"different firsts": `{ account(id: "` + appdirectsim.DemoAdaAccountID + `") { a: accountMemberships(first: 1) { totalCount } b: accountMemberships(first: 2) { totalCount } } }`,
		"different afters": `{ accounts { nodes { accountMemberships(after: "x") { totalCount } } edges { node { accountMemberships { totalCount } } } } }`,
		"first too large":  `{ accountByExternalId(externalId: "ext-ada-001") { accountMemberships(first: 101) { totalCount } } }`,
		"negative first":   `{ account(id: "` + appdirectsim.DemoAdaAccountID + `") { accountMemberships(first: -1) { totalCount } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			before := len(e.graphqlSent())
			r := e.Query(q, nil)
			assert.Equal(t, []string{"BAD_USER_INPUT"}, r.Codes(), r.Raw)
			assert.Len(t, e.graphqlSent(), before, "no AppDirect call")
		})
	}

	t.Run("variables", func(t *testing.T) {
		r := e.Query(`query($n: Int, $c: String) { account(id: "`+appdirectsim.DemoGraceAccountID+`") { accountMemberships(first: $n, after: $c) { nodes { user { id } } } } }`,
			map[string]any{"n": 2, "c": nil})
		require.Empty(t, r.Errors, r.Raw)
		sent := e.graphqlSent()
		last := sent[len(sent)-1]
		assert.EqualValues(t, 2, last.Variables["membershipsFirst"])
		assert.NotContains(t, last.Variables, "membershipsAfter", "a null after is not sent")
		assert.Contains(t, r.Raw, "u-howard-aiken")
		assert.NotContains(t, r.Raw, "u-richard-bloch", "the page stops at two")
	})
}

// TestDeleteAccountDryRunMemberships: a dry run fetches the account's
// members only when its payload selects them, and a real delete is still
// refused while the account has any.
func TestDeleteAccountDryRunMemberships(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`mutation { deleteAccount(input: {accountId: "`+appdirectsim.DemoEdsgerAccountID+`"}, dryRun: true) {
		dryRun account { name accountMemberships { totalCount nodes { user { email } roles } } } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"deleteAccount":{"dryRun":true,"account":{"name":"Eindhoven Semaphore BV","accountMemberships":{"totalCount":2,"nodes":[
		{"user":{"email":"edsger.dijkstra@example.com"},"roles":["SYS_ADMIN","USER"]},{"user":{"email":"tony.hoare@example.com"},"roles":["USER"]}]}}}}`, string(r.Data))
	sent := e.graphqlSent()
	require.Len(t, sent, 1)
	assert.Contains(t, sent[0].Query, "accountMemberships")

	r = e.Query(`mutation { deleteAccount(input: {accountId: "`+appdirectsim.DemoEdsgerAccountID+`"}, dryRun: true) { account { name } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	sent = e.graphqlSent()
	require.Len(t, sent, 2)
	assert.NotContains(t, sent[1].Query, "accountMemberships", "not selected, not fetched")
	assert.Contains(t, sent[1].Query, "contactAddress", "a dry run still shows the whole account")

	r = e.Query(`mutation { deleteAccount(input: {accountId: "`+appdirectsim.DemoEdsgerAccountID+`"}) { success userErrors { code } } }`, nil)
	assert.Equal(t, []string{"FAILED_PRECONDITION"}, r.Codes(), r.Raw)
	assert.Contains(t, string(r.Data), "ACCOUNT_HAS_MEMBERSHIPS")
}
