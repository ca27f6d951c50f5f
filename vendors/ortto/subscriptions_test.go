package ortto_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// Demo people of the simulator.
const (
	adaID    = "00650c1e8a2f4b6d3e9a1c00"
	graceID  = "00650c1f2b7d9e4a6c3f5b00"
	alanID   = "00650c20d4e6f8a1b3c5d700"
	kathID   = "00650c21e9f1a3b5c7d9eb00"
	edsgerID = "00650c22f0a2b4c6d8e0f200"
)

func personIDs(people []*ortto.Person) []string {
	out := make([]string, len(people))
	for i, p := range people {
		if p != nil {
			out[i] = p.PersonID
		}
	}
	return out
}

func TestSubscriptionsOrderAndNotFound(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	refs := []ortto.PersonRef{
		{Email: "nobody@example.com"},
		{Email: "GRACE.HOPPER@example.com"},
		{PersonID: adaID},
		{ExternalID: "crm-1918"},
		{PersonID: "ffffffffffffffffffffffff"},
		{PersonID: alanID, Email: "edsger.dijkstra@example.com"},       // person_id wins
		{Email: "edsger.dijkstra@example.com", ExternalID: "crm-1815"}, // email wins
		{ExternalID: "crm-0000"},
	}
	got, err := e.client.Subscriptions(context.Background(), refs)
	require.NoError(t, err)
	require.Len(t, got, len(refs))
	assert.Equal(t, []string{"", graceID, adaID, kathID, "", alanID, edsgerID, ""}, personIDs(got))
	assert.Nil(t, got[0])
	assert.Nil(t, got[4])
	assert.Nil(t, got[7])

	assert.Equal(t, "merged", got[1].PersonStatus)
	assert.Equal(t, "grace.hopper@example.com", got[1].Email)
	assert.Equal(t, "by-id", got[2].PersonStatus)
	assert.Empty(t, got[2].Email, "by-id replies carry no email")
	assert.Equal(t, "by-external-id", got[3].PersonStatus)
	assert.Equal(t, "crm-1918", got[3].ExternalID)

	// Decoding of the subscriptions themselves.
	grace := got[1]
	assert.True(t, grace.EmailPermissions)
	assert.True(t, grace.SMSPermissions)
	assert.False(t, grace.IOSPermissions)
	require.Len(t, grace.Subscriptions, 2)
	sms := grace.Subscriptions[0]
	assert.Equal(t, "6904f4fbf0cc08364094a965", sms.AudienceID)
	assert.Equal(t, "SMS subscribers", sms.AudienceName)
	assert.True(t, sms.Subscribed)
	assert.True(t, sms.SMSOptedIn)
	require.NotNil(t, sms.MemberFrom)
	assert.True(t, sms.MemberFrom.Equal(time.Date(2024, 2, 14, 17, 21, 9, 0, time.UTC)))
	assert.Nil(t, sms.UnsubscribedFrom)

	alan := got[5]
	require.Len(t, alan.Subscriptions, 1)
	assert.False(t, alan.Subscriptions[0].Subscribed)
	require.NotNil(t, alan.Subscriptions[0].UnsubscribedFrom)
	assert.True(t, alan.Subscriptions[0].UnsubscribedFrom.Equal(time.Date(2024, 4, 30, 12, 13, 14, 0, time.UTC)))
	kath := got[3]
	require.NotNil(t, kath.Subscriptions[1].SMSOptedOutFrom)
	assert.True(t, kath.IOSPermissions)
	assert.True(t, got[6].WebPermissions)
	assert.True(t, got[6].Subscriptions[0].WebOptedIn)

	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, http.MethodPost, entries[0].Method)
	assert.Equal(t, "/v1/person/subscriptions", entries[0].Path)
	assert.JSONEq(t, `{"people":[
		{"email":"nobody@example.com"},{"email":"GRACE.HOPPER@example.com"},{"person_id":"`+adaID+`"},
		{"external_id":"crm-1918"},{"person_id":"ffffffffffffffffffffffff"},
		{"person_id":"`+alanID+`","email":"edsger.dijkstra@example.com"},
		{"email":"edsger.dijkstra@example.com","external_id":"crm-1815"},{"external_id":"crm-0000"}]}`, entries[0].Body)
}

func TestSubscriptionsDuplicateRefsSentOnce(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	got, err := e.client.Subscriptions(context.Background(), []ortto.PersonRef{
		{Email: "ada.lovelace@example.com"}, {Email: "Ada.Lovelace@example.com"}, {PersonID: adaID},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{adaID, adaID, adaID}, personIDs(got))
	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 1)
	assert.JSONEq(t, `{"people":[{"email":"ada.lovelace@example.com"},{"person_id":"`+adaID+`"}]}`, entries[0].Body)
}

// TestSubscriptionsMatchedByIdentifierNotPosition serves a reply in
// reverse order with the unknown person left out: matching by position
// would hand people to the wrong refs.
func TestSubscriptionsMatchedByIdentifierNotPosition(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"people":[
			{"person_status":"by-external-id","person_id":"p3","external_id":"ext-3","subscriptions":[]},
			{"person_status":"merged","person_id":"p2","email":"Two@Example.com","subscriptions":[{"audience_id":"a","audience_name":"Subscribers","member_from":"","subscribed":true}]},
			{"person_status":"by-id","person_id":"p1","subscriptions":null}
		]}`))
	}))
	defer ts.Close()
	c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL})
	require.NoError(t, err)
	got, err := c.Subscriptions(context.Background(), []ortto.PersonRef{
		{PersonID: "p1"}, {Email: "two@example.com"}, {Email: "missing@example.com"}, {ExternalID: "ext-3"},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"p1", "p2", "", "p3"}, personIDs(got))
	require.Len(t, got[1].Subscriptions, 1)
	assert.Nil(t, got[1].Subscriptions[0].MemberFrom, "an empty timestamp is absent, not an error")
}

func TestSubscriptionsBatching(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	const n = 250
	people := make([]map[string]any, n)
	refs := make([]ortto.PersonRef, n+1)
	want := make([]string, n+1)
	for i := range people {
		id := fmt.Sprintf("0065%020x", i)
		people[i] = map[string]any{"person_id": id, "email": fmt.Sprintf("p%d@example.com", i), "external_id": fmt.Sprintf("ext-%d", i)}
		switch i % 3 {
		case 0:
			refs[i] = ortto.PersonRef{PersonID: id}
		case 1:
			refs[i] = ortto.PersonRef{Email: fmt.Sprintf("P%d@example.com", i)}
		case 2:
			refs[i] = ortto.PersonRef{ExternalID: fmt.Sprintf("ext-%d", i)}
		}
		want[i] = id
	}
	// One unknown person, landing in the last batch.
	refs[n] = ortto.PersonRef{Email: "nobody@example.com"}
	doc, err := json.Marshal(map[string]any{"people": people})
	require.NoError(t, err)
	require.NoError(t, e.sim.SetState(doc))
	// Shuffle deterministically so that batches mix identifier kinds and
	// results must be put back in the caller's order.
	slices.Reverse(refs)
	slices.Reverse(want)

	got, err := e.client.Subscriptions(context.Background(), refs)
	require.NoError(t, err)
	assert.Equal(t, want, personIDs(got))

	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 3)
	for i, size := range []int{100, 100, 51} {
		var body struct {
			People []ortto.PersonRef `json:"people"`
		}
		require.NoError(t, json.Unmarshal([]byte(entries[i].Body), &body))
		assert.Len(t, body.People, size, "batch %d", i)
		lo := i * 100
		assert.Equal(t, refs[lo:lo+size], body.People, "batch %d carries the refs in order", i)
	}
}

func TestSubscriptionsBatchFailure(t *testing.T) {
	e := newEnv(t, ortto.Config{BatchSize: 2})
	e.sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: 429, RetryAfterSeconds: 3})
	_, err := e.client.Subscriptions(context.Background(), []ortto.PersonRef{
		{PersonID: adaID}, {Email: "grace.hopper@example.com"}, {ExternalID: "crm-1912"},
	})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindRateLimited, ve.Kind)
	assert.Equal(t, 3*time.Second, ve.RetryAfter)
	assert.Equal(t, []string{adaID, "grace.hopper@example.com", "crm-1912"}, ve.IDs)
	assert.Contains(t, ve.Message, "0 of 2 chunks succeeded")
	assert.Equal(t, 1, e.sim.Recorder().Count("ortto"), "later batches are not attempted")
}

func TestSubscriptionsRefusedWithoutCalling(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	got, err := e.client.Subscriptions(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = e.client.Subscriptions(context.Background(), []ortto.PersonRef{})
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = e.client.Subscriptions(context.Background(), []ortto.PersonRef{{Email: "ada.lovelace@example.com"}, {}})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindBadInput, ve.Kind)
	assert.Contains(t, ve.Message, "person 1")
	assert.Equal(t, "get subscriptions", ve.Operation)

	// A ref that fails validation in a later batch stops the earlier ones too.
	refs := make([]ortto.PersonRef, 150)
	for i := range refs[:149] {
		refs[i] = ortto.PersonRef{Email: fmt.Sprintf("p%d@example.com", i)}
	}
	_, err = e.client.Subscriptions(context.Background(), refs)
	assert.Equal(t, outbound.KindBadInput, vendorError(t, err).Kind)

	assert.Zero(t, e.sim.Recorder().Count("ortto"))
}

func TestPersonRefCanonical(t *testing.T) {
	cases := []struct{ in, want ortto.PersonRef }{
		{ortto.PersonRef{PersonID: " p1 ", Email: "A@x.com", ExternalID: "e"}, ortto.PersonRef{PersonID: "p1"}},
		// The email keeps its case: Ortto does not document case-blind
		// lookups, so the address is sent as written.
		{ortto.PersonRef{PersonID: "  ", Email: " Ada@Example.COM ", ExternalID: "e"}, ortto.PersonRef{Email: "Ada@Example.COM"}},
		{ortto.PersonRef{ExternalID: " Ext-1 "}, ortto.PersonRef{ExternalID: "Ext-1"}},
		{ortto.PersonRef{Email: " "}, ortto.PersonRef{}},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.in.Canonical(), "%+v", tc.in)
		assert.Equal(t, tc.want, tc.want.Canonical(), "idempotent")
	}
}

// TestSubscriptionsExternalIDWithoutEcho: recorded replies echo person_id
// and email (by-id, merged) but never show external_id, so a reply to an
// external_id lookup that does not echo it must still reach its ref, by
// position, when positions can be trusted.
func TestSubscriptionsExternalIDWithoutEcho(t *testing.T) {
	// sub is a subscription as in the recorded get_subscriptions_by_person_id reply.
	const sub = `{"audience_id":"6904f4fbf0cc08364094a965","audience_name":"SMS subscribers","member_from":"2025-11-04T18:44:13Z","subscribed":false,"subscribed_from":"2025-11-04T18:44:13Z","sms_opted_in":true,"whatsapp_opted_in":false,"ios_opted_in":false,"android_opted_in":false,"web_opted_in":false}`
	entry := func(status, id, email string) string {
		e := `{"person_status":"` + status + `"`
		if id != "" {
			e += `,"person_id":"` + id + `"`
		}
		if email != "" {
			e += `,"email":"` + email + `"`
		}
		return e + `,"subscriptions":[` + sub + `],"email_permissions":false,"sms_permissions":true,"ios_permissions":false,"android_permissions":false,"web_permissions":false}`
	}
	cases := []struct {
		name  string
		refs  []ortto.PersonRef
		reply []string
		want  []string
	}{
		{"external id alone", []ortto.PersonRef{{ExternalID: "ext-1"}},
			[]string{entry("by-external-id", "p1", "")}, []string{"p1"}},
		{"external ids among echoed lookups", []ortto.PersonRef{{PersonID: "p0"}, {ExternalID: "ext-1"}, {Email: "b@example.com"}, {ExternalID: "ext-2"}},
			[]string{entry("by-id", "p0", ""), entry("merged", "p1", ""), entry("merged", "p2", "B@example.com"), entry("merged", "p3", "")},
			[]string{"p0", "p1", "p2", "p3"}},
		{"not-found at its position", []ortto.PersonRef{{ExternalID: "ext-1"}, {ExternalID: "ext-2"}},
			[]string{entry("not-found", "", ""), entry("merged", "p2", "")}, []string{"", "p2"}},
		{"fewer entries than refs: positions unusable", []ortto.PersonRef{{ExternalID: "ext-1"}, {ExternalID: "ext-2"}},
			[]string{entry("merged", "p2", "")}, []string{"", ""}},
		{"entry at the position belongs to another ref", []ortto.PersonRef{{Email: "a@example.com"}, {ExternalID: "ext-1"}},
			[]string{entry("merged", "p9", ""), entry("merged", "p1", "a@example.com")}, []string{"p1", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = fmt.Fprintf(w, `{"people":[%s]}`, joinJSON(tc.reply))
			}))
			defer ts.Close()
			c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL})
			require.NoError(t, err)
			got, err := c.Subscriptions(context.Background(), tc.refs)
			require.NoError(t, err)
			assert.Equal(t, tc.want, personIDs(got))
			for _, p := range got {
				if p != nil {
					require.Len(t, p.Subscriptions, 1)
					assert.Equal(t, "SMS subscribers", p.Subscriptions[0].AudienceName)
				}
			}
		})
	}
}

func joinJSON(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out
}
