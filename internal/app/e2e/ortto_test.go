package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/vendors/ortto"
)

func TestPeopleOneCallInOrderWithNulls(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.Query(`query($refs: [PersonRef!]!) { people(refs: $refs) { id email status subscriptions { audienceName subscribed memberFrom } } }`,
		map[string]any{"refs": []map[string]any{
			{"email": "GRACE.HOPPER@example.com"},
			{"id": "00650c1e8a2f4b6d3e9a1c00"},
			{"email": "nobody@example.com"},
			{"externalId": "crm-1912"},
			{"email": "grace.hopper@example.com"}, // same person again: fetched once
		}})
	require.Empty(t, r.Errors, r.Raw)
	var data struct {
		People []*struct {
			ID            string `json:"id"`
			Email         *string
			Subscriptions []struct {
				AudienceName string `json:"audienceName"`
				Subscribed   bool   `json:"subscribed"`
				MemberFrom   string `json:"memberFrom"`
			} `json:"subscriptions"`
		} `json:"people"`
	}
	r.Into(t, &data)
	require.Len(t, data.People, 5)
	assert.Equal(t, "00650c1f2b7d9e4a6c3f5b00", data.People[0].ID)
	assert.Equal(t, "00650c1e8a2f4b6d3e9a1c00", data.People[1].ID)
	assert.Nil(t, data.People[2], "unknown person is null in its place")
	assert.Equal(t, "00650c20d4e6f8a1b3c5d700", data.People[3].ID)
	assert.Equal(t, data.People[0].ID, data.People[4].ID)
	require.NotEmpty(t, data.People[1].Subscriptions)
	assert.Equal(t, "Weekly updates", data.People[1].Subscriptions[0].AudienceName)
	assert.Equal(t, "2024-03-11T09:15:02Z", data.People[1].Subscriptions[0].MemberFrom)

	calls := e.Calls("ortto")
	require.Len(t, calls, 1, "one Ortto call for the whole list")
	assert.Equal(t, "/v1/person/subscriptions", calls[0].Path)
	var sent struct {
		People []map[string]string `json:"people"`
	}
	require.NoError(t, json.Unmarshal([]byte(calls[0].Body), &sent))
	assert.Len(t, sent.People, 4, "duplicate refs are sent once")
}

func TestPersonByEachIdentifier(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, ref := range []map[string]any{
		{"id": "00650c21e9f1a3b5c7d9eb00"},
		{"email": "katherine.johnson@example.com"},
		{"externalId": "crm-1918"},
	} {
		r := e.Query(`query($ref: PersonRef!) { person(ref: $ref) { id smsPermissions iosPermissions } }`, map[string]any{"ref": ref})
		require.Empty(t, r.Errors, r.Raw)
		var data struct {
			Person struct {
				ID             string `json:"id"`
				IosPermissions bool   `json:"iosPermissions"`
			} `json:"person"`
		}
		r.Into(t, &data)
		assert.Equal(t, "00650c21e9f1a3b5c7d9eb00", data.Person.ID, "ref %v", ref)
		assert.True(t, data.Person.IosPermissions)
	}
}

func TestOrttoBulkRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	active := "106905f9252dad244f055800"
	archived := "10690a3d5e2dad244f0c3400"

	// Restore and delete act on archived accounts only.
	r := e.Query(`mutation($ids: [ID!]) { deleteAccounts(input: {inclusionIds: $ids}) { scheduledAccounts deletedAccounts } }`, map[string]any{"ids": []string{active}})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"deleteAccounts":{"scheduledAccounts":0,"deletedAccounts":0}}`, string(r.Data))

	r = e.Query(`mutation($ids: [ID!]) { archiveAccounts(input: {inclusionIds: $ids}) { scheduledAccounts archivedAccounts } }`, map[string]any{"ids": []string{active}})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"archiveAccounts":{"scheduledAccounts":0,"archivedAccounts":1}}`, string(r.Data))

	r = e.Query(`mutation($ids: [ID!]) { restoreAccounts(input: {inclusionIds: $ids}) { restoredAccounts } }`, map[string]any{"ids": []string{archived}})
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"restoreAccounts":{"restoredAccounts":1}}`, string(r.Data))

	// All rows of the archived list, minus one: the remaining archived
	// accounts are the one archived above and the demo's other one.
	r = e.Query(`mutation($ex: [ID!]) { deleteAccounts(input: {allRowsSelected: true, exclusionIds: $ex}) { scheduledAccounts deletedAccounts } }`, map[string]any{"ex": []string{active}})
	require.Empty(t, r.Errors, r.Raw)
	var del struct {
		DeleteAccounts struct{ ScheduledAccounts, DeletedAccounts int } `json:"deleteAccounts"`
	}
	r.Into(t, &del)
	assert.Equal(t, 1, del.DeleteAccounts.ScheduledAccounts+del.DeleteAccounts.DeletedAccounts, "only the non-excluded archived account is deleted")

	var state struct {
		Accounts []struct {
			ID       string `json:"id"`
			Archived bool   `json:"archived"`
		} `json:"accounts"`
	}
	doc, err := e.Sandbox.Sim(ortto.Name).State()
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(doc, &state))
	ids := map[string]bool{}
	for _, a := range state.Accounts {
		ids[a.ID] = a.Archived
	}
	assert.Contains(t, ids, active, "excluded account survives")
	assert.True(t, ids[active])
	assert.NotContains(t, ids, "10690a4e6f2dad244f0d4500", "the other archived account was deleted")
	assert.Contains(t, ids, archived, "the restored account was not in the archived list")
}

func TestOrttoBulkSplitsOverVendorLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := make([]string, 0, 250)
	for i := range 250 {
		ids = append(ids, fmt.Sprintf("%024x", i))
	}
	r := e.Query(`mutation($ids: [ID!]) { archiveAccounts(input: {inclusionIds: $ids}) { archivedAccounts } }`, map[string]any{"ids": ids})
	require.Empty(t, r.Errors, r.Raw)
	assert.Len(t, e.Calls("ortto"), 3, "250 ids go out as 100+100+50")
}

// ORTTO_BATCH_SIZE reaches the Ortto client, not only the person loader:
// a bulk archive of three ids with a batch of two is two Ortto calls.
func TestOrttoBatchSizeReachesTheClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(s *gatewaytest.Setup) { s.Config.VendorConfig[ortto.Name].(*ortto.Config).BatchSize = 2 })
	ids := []string{"10690a3d5e2dad244f0c3400", "10690a3d5e2dad244f0c3401", "10690a3d5e2dad244f0c3402"}
	r := e.Query(`mutation($ids: [ID!]) { archiveAccounts(input: {inclusionIds: $ids}) { scheduledAccounts } }`, map[string]any{"ids": ids})
	require.Empty(t, r.Errors)
	var archive int
	for _, c := range e.APICalls("ortto") {
		if strings.HasSuffix(c.Path, "/accounts/archive") {
			archive++
		}
	}
	assert.Equal(t, 2, archive, "three ids in batches of two")
}
