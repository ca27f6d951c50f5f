package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccountListsLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	r := e.Query(`{ accountLists { id name enhanced } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Empty(t, e.APICalls("cordial")[1:], "contactCount not selected: no count calls")

	r = e.Query(`mutation { createAccountList(input: {name: "safe_drivers", enhanced: true}) { id name enhanced contactCount } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	var created struct {
		CreateAccountList struct {
			ID           string `json:"id"`
			Name         string `json:"name"`
			Enhanced     bool   `json:"enhanced"`
			ContactCount int    `json:"contactCount"`
		} `json:"createAccountList"`
	}
	r.Into(t, &created)
	id := created.CreateAccountList.ID
	assert.Equal(t, "safe_drivers", created.CreateAccountList.Name)
	assert.True(t, created.CreateAccountList.Enhanced)

	r = e.Query(`mutation { createAccountList(input: {name: "safe_drivers"}) { id } }`, nil)
	assert.Equal(t, []string{"CONFLICT"}, r.Codes(), r.Raw)
	assert.Equal(t, "cordial", r.Errors[0].Extensions["vendor"])
	assert.EqualValues(t, 422, r.Errors[0].Extensions["httpStatus"])

	r = e.Query(`mutation($id: ID!) { updateAccountList(id: $id, input: {name: "vip_guests"}) { id name enhanced } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"updateAccountList":{"id":"`+id+`","name":"vip_guests","enhanced":true}}`, string(r.Data))

	r = e.Query(`query($name: String) { accountLists(name: $name) { id name contactCount } }`, map[string]any{"name": "vip-customers"})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"accountLists":[{"id":"1","name":"vip-customers","contactCount":2}]}`, string(r.Data))

	r = e.Query(`mutation { clearAccountList(id: "1") { id success } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	r = e.Query(`{ accountList(id: "1") { name contactCount } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"accountList":{"name":"vip-customers","contactCount":0}}`, string(r.Data), "clear keeps the list and empties it")

	r = e.Query(`mutation($id: ID!) { deleteAccountList(id: $id) { success } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	r = e.Query(`query($id: ID!) { accountList(id: $id) { name } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"accountList":null}`, string(r.Data))

	r = e.Query(`mutation { deleteAccountList(id: "999") { success } }`, nil)
	assert.Equal(t, []string{"NOT_FOUND"}, r.Codes(), r.Raw)
}

func TestContactCountOncePerDistinctList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`{ a: accountLists { id contactCount } b: accountLists { contactCount } one: accountList(id: "2") { contactCount } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	counts := 0
	for _, c := range e.Calls("cordial") {
		if len(c.Path) > 6 && c.Path[len(c.Path)-6:] == "/count" {
			counts++
		}
	}
	assert.Equal(t, 4, counts, "one count call per distinct list, however often it is asked for")
}
