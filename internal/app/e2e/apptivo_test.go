package e2e

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCustomersPagingAndGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`{ customers(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { id name primaryEmail createdAt } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	var page struct {
		Customers struct {
			TotalCount int `json:"totalCount"`
			PageInfo   struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   string `json:"endCursor"`
			} `json:"pageInfo"`
			Nodes []struct {
				ID, Name     string
				PrimaryEmail string `json:"primaryEmail"`
			} `json:"nodes"`
		} `json:"customers"`
	}
	r.Into(t, &page)
	assert.Equal(t, 5, page.Customers.TotalCount)
	require.Len(t, page.Customers.Nodes, 2)
	assert.True(t, page.Customers.PageInfo.HasNextPage)
	assert.Equal(t, "ada.lovelace@example.com", page.Customers.Nodes[0].PrimaryEmail)

	r = e.Query(`query($after: String) { customers(first: 10, after: $after) { nodes { id } pageInfo { hasNextPage } } }`, map[string]any{"after": page.Customers.PageInfo.EndCursor})
	require.Empty(t, r.Errors, r.Raw)
	var next struct {
		Customers struct {
			Nodes []struct{ ID string } `json:"nodes"`
		} `json:"customers"`
	}
	r.Into(t, &next)
	assert.Len(t, next.Customers.Nodes, 3)

	r = e.Query(`{ customer(id: "1002") { name emailAddresses { address typeCode } } missing: customer(id: "424242") { name } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"customer":{"name":"Hopper Compilers Inc","emailAddresses":[{"address":"grace.hopper@example.com","typeCode":"BUSINESS"}]},"missing":null}`, string(r.Data))
}

func TestCustomerCreateUpdateDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	name := `Tom & "Jerry" #1 +x=y`
	r := e.Query(`mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { id name primaryEmail } }`,
		map[string]any{"in": map[string]any{"name": name, "emailAddresses": []map[string]any{{"address": "tom@example.com"}}}})
	require.Empty(t, r.Errors, r.Raw)
	var created struct {
		CreateCustomer struct{ ID, Name string } `json:"createCustomer"`
	}
	r.Into(t, &created)
	assert.Equal(t, name, created.CreateCustomer.Name)
	id := created.CreateCustomer.ID

	r = e.Query(`query($id: ID!) { customer(id: $id) { name } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"customer":{"name":`+mustJSON(t, name)+`}}`, string(r.Data), "the name round-trips byte for byte")

	e.Sandbox.Recorder.Clear()
	r = e.Query(`mutation($id: ID!) { updateCustomer(id: $id, input: {website: "https://tom.example"}) { name website primaryEmail } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"updateCustomer":{"name":`+mustJSON(t, name)+`,"website":"https://tom.example","primaryEmail":"tom@example.com"}}`, string(r.Data))
	calls := e.Calls("apptivo")
	require.Len(t, calls, 2, "the record is read, then sent whole")
	rq, err := url.ParseQuery(calls[0].Query)
	require.NoError(t, err)
	assert.Equal(t, "getById", rq.Get("a"))
	q, err := callParams(calls[1])
	require.NoError(t, err)
	assert.Equal(t, "update", q.Get("a"))
	assert.JSONEq(t, `["website"]`, q.Get("attributeName"), "only the given field is named")
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(q.Get("customerData")), &sent))
	assert.Equal(t, "https://tom.example", sent["website"], "the change is applied")
	assert.Equal(t, name, sent["customerName"], "the rest of the record is sent as read")
	assert.Contains(t, sent, "emailAddresses")
	assert.Contains(t, sent, "creationDate")
	assert.Equal(t, "false", q.Get("isEmailAddressUpdate"))
	assert.Equal(t, "false", q.Get("isAddressUpdate"))

	e.Sandbox.Recorder.Clear()
	r = e.Query(`mutation($id: ID!) { updateCustomer(id: $id, input: {emailAddresses: [{address: "jerry@example.com"}]}) { primaryEmail } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	q, err = callParams(e.Calls("apptivo")[1])
	require.NoError(t, err)
	assert.Equal(t, "true", q.Get("isEmailAddressUpdate"), "the email flag is set when emails change")

	r = e.Query(`mutation($id: ID!) { deleteCustomer(id: $id) { id success } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, r.Raw)
	r = e.Query(`mutation($id: ID!) { deleteCustomer(id: $id) { id success } }`, map[string]any{"id": id})
	assert.Equal(t, []string{"NOT_FOUND"}, r.Codes(), r.Raw)
	r = e.Query(`mutation { updateCustomer(id: "999999", input: {website: "x"}) { id } }`, nil)
	assert.Equal(t, []string{"NOT_FOUND"}, r.Codes(), r.Raw)
}

func TestSearchCustomersAndConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`{ searchCustomers(filter: {email: "alan.turing@example.com"}) { totalCount nodes { name } } customerConfig { statuses { id name } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	var data struct {
		SearchCustomers struct {
			TotalCount int                     `json:"totalCount"`
			Nodes      []struct{ Name string } `json:"nodes"`
		} `json:"searchCustomers"`
		CustomerConfig struct {
			Statuses []struct{ ID, Name string } `json:"statuses"`
		} `json:"customerConfig"`
	}
	r.Into(t, &data)
	require.Len(t, data.SearchCustomers.Nodes, 1)
	assert.Equal(t, "Turing Machines Ltd", data.SearchCustomers.Nodes[0].Name)
	assert.NotEmpty(t, data.CustomerConfig.Statuses)

	r = e.Query(`{ searchCustomers(filter: {name: "LTD"}) { nodes { name } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Contains(t, string(r.Data), "Analytical Engines Ltd")
	assert.Contains(t, string(r.Data), "Turing Machines Ltd")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
