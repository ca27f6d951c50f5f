package orttosim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

var (
	hex24   = regexp.MustCompile(`^[0-9a-f]{24}$`)
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	mainIDs = []string{"106905f9252dad244f055800", "106904f4fd2dad244ea03100", "10690a1b3c2dad244f0a1200", "10690a2c4d2dad244f0b2300"}
	archIDs = []string{"10690a3d5e2dad244f0c3400", "10690a4e6f2dad244f0d4500"}
)

const (
	adaID    = "00650c1e8a2f4b6d3e9a1c00"
	graceID  = "00650c1f2b7d9e4a6c3f5b00"
	edsgerID = "00650c22f0a2b4c6d8e0f200"
)

func newSim(t *testing.T, opts orttosim.Options) *orttosim.Server {
	t.Helper()
	sim, err := orttosim.New(opts)
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	return sim
}

// call sends one request with the sandbox key (key "" sends none) and
// returns the status and raw body.
func call(t *testing.T, sim *orttosim.Server, method, path, key, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, sim.URL()+path, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func ok(t *testing.T, sim *orttosim.Server, method, path, body string) string {
	t.Helper()
	status, b := call(t, sim, method, path, orttosim.APIKey, body)
	require.Equal(t, http.StatusOK, status, string(b))
	return string(b)
}

func assertOrttoError(t *testing.T, b []byte, status int, text string) {
	t.Helper()
	var e struct {
		RequestID string `json:"request_id"`
		Code      int    `json:"code"`
		Error     string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(b, &e), string(b))
	assert.Regexp(t, uuidRE, e.RequestID)
	assert.Equal(t, status, e.Code)
	assert.Contains(t, e.Error, text)
}

type stateView struct {
	People []struct {
		PersonID   string `json:"person_id"`
		Email      string `json:"email"`
		ExternalID string `json:"external_id"`
	} `json:"people"`
	Accounts []struct {
		ID       string            `json:"id"`
		Fields   map[string]string `json:"fields"`
		Archived bool              `json:"archived"`
	} `json:"accounts"`
}

func state(t *testing.T, sim *orttosim.Server) stateView {
	t.Helper()
	b, err := sim.State()
	require.NoError(t, err)
	var v stateView
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// accountStates maps account id to "main" or "archived"; deleted accounts
// are absent.
func accountStates(t *testing.T, sim *orttosim.Server) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, a := range state(t, sim).Accounts {
		out[a.ID] = "main"
		if a.Archived {
			out[a.ID] = "archived"
		}
	}
	return out
}

func idsJSON(ids ...string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

func TestDemoData(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	v := state(t, sim)
	var emails []string
	for _, p := range v.People {
		assert.Regexp(t, hex24, p.PersonID)
		emails = append(emails, p.Email)
	}
	assert.ElementsMatch(t, []string{
		"ada.lovelace@example.com", "grace.hopper@example.com", "alan.turing@example.com",
		"katherine.johnson@example.com", "edsger.dijkstra@example.com",
	}, emails)
	states := accountStates(t, sim)
	require.Len(t, states, 6)
	for _, id := range mainIDs {
		assert.Regexp(t, hex24, id)
		assert.Equal(t, "main", states[id], id)
	}
	for _, id := range archIDs {
		assert.Equal(t, "archived", states[id], id)
	}
	for _, a := range v.Accounts {
		assert.NotEmpty(t, a.Fields["str:o:name"], a.ID)
	}

	empty := newSim(t, orttosim.Options{Empty: true})
	assert.JSONEq(t, `{"people":[],"accounts":[]}`, string(must(empty.State())))
	empty.Reset()
	assert.Len(t, state(t, empty).People, 5)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestAuth(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	for _, key := range []string{"", "wrong-key"} {
		status, b := call(t, sim, http.MethodPut, "/v1/accounts/archive", key, `{"inclusion_ids":["`+mainIDs[0]+`"]}`)
		assert.Equal(t, http.StatusUnauthorized, status, "key %q", key)
		assertOrttoError(t, b, 401, "API key")
	}
	assert.Equal(t, "main", accountStates(t, sim)[mainIDs[0]], "a refused call must not change state")

	custom := newSim(t, orttosim.Options{APIKey: "custom-key"})
	status, _ := call(t, custom, http.MethodPost, "/v1/person/subscriptions", orttosim.APIKey, `{"people":[{"email":"ada.lovelace@example.com"}]}`)
	assert.Equal(t, http.StatusUnauthorized, status, "the sandbox key is not accepted when another is configured")
	status, _ = call(t, custom, http.MethodPost, "/v1/person/subscriptions", "custom-key", `{"people":[{"email":"ada.lovelace@example.com"}]}`)
	assert.Equal(t, http.StatusOK, status)
}

func TestRouting(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	tests := []struct {
		method, path string
		status       int
		text, allow  string
	}{
		{http.MethodPost, "/v1/accounts/nope", 404, "Unknown endpoint or method", ""},
		{http.MethodPut, "/accounts/archive", 404, "Unknown endpoint or method", ""},
		{http.MethodPut, "/v1/accounts/archive/", 404, "Unknown endpoint or method", ""},
		{http.MethodPost, "/v1/accounts/archive", 405, "Method not allowed", "PUT"},
		{http.MethodPut, "/v1/accounts/delete", 405, "Method not allowed", "DELETE"},
		{http.MethodDelete, "/v1/accounts/restore", 405, "Method not allowed", "PUT"},
		{http.MethodGet, "/v1/person/subscriptions", 405, "Method not allowed", "POST"},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, sim.URL()+tc.path, strings.NewReader(`{}`))
			require.NoError(t, err)
			req.Header.Set("X-Api-Key", orttosim.APIKey)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.allow, resp.Header.Get("Allow"))
			assertOrttoError(t, b, tc.status, tc.text)
		})
	}
}

func TestBadBodies(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	over := make([]string, 101)
	for i := range over {
		over[i] = fmt.Sprintf("%024x", i)
	}
	people := make([]string, 101)
	for i := range people {
		people[i] = fmt.Sprintf(`{"email":"p%d@example.com"}`, i)
	}
	tests := []struct {
		name, method, path, body, text string
	}{
		{"archive malformed", http.MethodPut, "/v1/accounts/archive", `{"inclusion_ids":[`, "Failed to parse"},
		{"restore wrong type", http.MethodPut, "/v1/accounts/restore", `{"inclusion_ids":"x"}`, "Failed to parse"},
		{"delete empty body", http.MethodDelete, "/v1/accounts/delete", ``, "Failed to parse"},
		{"archive no selection", http.MethodPut, "/v1/accounts/archive", `{}`, "inclusion_ids or all_rows_selected"},
		{"archive empty ids", http.MethodPut, "/v1/accounts/archive", `{"inclusion_ids":[],"exclusion_ids":["` + mainIDs[0] + `"]}`, "inclusion_ids or all_rows_selected"},
		{"archive all_rows false", http.MethodPut, "/v1/accounts/archive", `{"all_rows_selected":false}`, "inclusion_ids or all_rows_selected"},
		{"archive 101 ids", http.MethodPut, "/v1/accounts/archive", `{"inclusion_ids":` + idsJSON(over...) + `}`, "at most 100"},
		{"delete 101 exclusions", http.MethodDelete, "/v1/accounts/delete", `{"all_rows_selected":true,"exclusion_ids":` + idsJSON(over...) + `}`, "at most 100"},
		{"subscriptions malformed", http.MethodPost, "/v1/person/subscriptions", `{"people":`, "Failed to parse"},
		{"subscriptions no people", http.MethodPost, "/v1/person/subscriptions", `{"people":[]}`, "people is required"},
		{"subscriptions empty person", http.MethodPost, "/v1/person/subscriptions", `{"people":[{"email":"ada.lovelace@example.com"},{}]}`, "people[1]"},
		{"subscriptions blank ids", http.MethodPost, "/v1/person/subscriptions", `{"people":[{"person_id":"","email":"","external_id":""}]}`, "people[0]"},
		{"subscriptions 101 people", http.MethodPost, "/v1/person/subscriptions", `{"people":[` + strings.Join(people, ",") + `]}`, "at most 100"},
	}
	before := must(sim.State())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := call(t, sim, tc.method, tc.path, orttosim.APIKey, tc.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assertOrttoError(t, b, 400, tc.text)
		})
	}
	assert.JSONEq(t, string(before), string(must(sim.State())), "a refused call must not change state")

	status, _ := call(t, sim, http.MethodPut, "/v1/accounts/archive", orttosim.APIKey, `{"inclusion_ids":`+idsJSON(over[:100]...)+`}`)
	assert.Equal(t, http.StatusOK, status, "exactly 100 ids are allowed")
}

func TestArchiveBeforeRestoreOrDelete(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	a := mainIDs[0]
	body := `{"inclusion_ids":["` + a + `"]}`

	// Restore and delete ignore an account still in the main list.
	assert.JSONEq(t, `{"scheduled_organizations":0,"restored_organizations":0}`, ok(t, sim, http.MethodPut, "/v1/accounts/restore", body))
	assert.JSONEq(t, `{"scheduled_accounts":0,"deleted_accounts":0}`, ok(t, sim, http.MethodDelete, "/v1/accounts/delete", body))
	assert.Equal(t, "main", accountStates(t, sim)[a])

	assert.JSONEq(t, `{"scheduled_organizations":0,"archived_organizations":1}`, ok(t, sim, http.MethodPut, "/v1/accounts/archive", body))
	assert.Equal(t, "archived", accountStates(t, sim)[a])
	assert.JSONEq(t, `{"scheduled_organizations":0,"archived_organizations":0}`, ok(t, sim, http.MethodPut, "/v1/accounts/archive", body), "already archived: not counted")

	assert.JSONEq(t, `{"scheduled_organizations":0,"restored_organizations":1}`, ok(t, sim, http.MethodPut, "/v1/accounts/restore", body))
	assert.Equal(t, "main", accountStates(t, sim)[a])

	ok(t, sim, http.MethodPut, "/v1/accounts/archive", body)
	assert.JSONEq(t, `{"scheduled_accounts":0,"deleted_accounts":1}`, ok(t, sim, http.MethodDelete, "/v1/accounts/delete", body))
	_, present := accountStates(t, sim)[a]
	assert.False(t, present, "deleted account leaves the state")
	assert.JSONEq(t, `{"scheduled_accounts":0,"deleted_accounts":0}`, ok(t, sim, http.MethodDelete, "/v1/accounts/delete", body), "already deleted: not counted")
}

func TestExplicitIDsSkipUnknownAndWrongState(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	body := `{"inclusion_ids":["` + mainIDs[0] + `","` + mainIDs[1] + `","` + archIDs[0] + `","ffffffffffffffffffffffff","` + mainIDs[0] + `"],"exclusion_ids":["` + mainIDs[1] + `"]}`
	assert.JSONEq(t, `{"scheduled_organizations":0,"archived_organizations":1}`, ok(t, sim, http.MethodPut, "/v1/accounts/archive", body),
		"only mainIDs[0] counts: duplicate, excluded, already archived and unknown ids are skipped")
	states := accountStates(t, sim)
	assert.Equal(t, "archived", states[mainIDs[0]])
	assert.Equal(t, "main", states[mainIDs[1]])
}

func TestAllRowsSelected(t *testing.T) {
	t.Run("archive takes the main list minus exclusions", func(t *testing.T) {
		sim := newSim(t, orttosim.Options{})
		got := ok(t, sim, http.MethodPut, "/v1/accounts/archive", `{"all_rows_selected":true,"exclusion_ids":["`+mainIDs[1]+`","`+archIDs[0]+`"],"inclusion_ids":["`+mainIDs[2]+`"]}`)
		assert.JSONEq(t, `{"scheduled_organizations":3,"archived_organizations":0}`, got)
		states := accountStates(t, sim)
		assert.Equal(t, "main", states[mainIDs[1]])
		for _, id := range []string{mainIDs[0], mainIDs[2], mainIDs[3], archIDs[0], archIDs[1]} {
			assert.Equal(t, "archived", states[id], id)
		}
	})
	t.Run("restore takes the archived list minus exclusions", func(t *testing.T) {
		sim := newSim(t, orttosim.Options{})
		got := ok(t, sim, http.MethodPut, "/v1/accounts/restore", `{"all_rows_selected":true,"exclusion_ids":["`+archIDs[1]+`"]}`)
		assert.JSONEq(t, `{"scheduled_organizations":1,"restored_organizations":0}`, got)
		states := accountStates(t, sim)
		assert.Equal(t, "main", states[archIDs[0]])
		assert.Equal(t, "archived", states[archIDs[1]])
		for _, id := range mainIDs {
			assert.Equal(t, "main", states[id], id)
		}
	})
	t.Run("delete takes the archived list only", func(t *testing.T) {
		sim := newSim(t, orttosim.Options{})
		got := ok(t, sim, http.MethodDelete, "/v1/accounts/delete", `{"all_rows_selected":true}`)
		assert.JSONEq(t, `{"scheduled_accounts":2,"deleted_accounts":0}`, got)
		states := accountStates(t, sim)
		assert.Len(t, states, 4)
		for _, id := range mainIDs {
			assert.Equal(t, "main", states[id], id)
		}
	})
}

// lookup posts people to the subscriptions endpoint and returns the reply
// entries as maps, so that tests can see which keys were present.
func lookup(t *testing.T, sim *orttosim.Server, people string) []map[string]any {
	t.Helper()
	var reply struct {
		People []map[string]any `json:"people"`
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, sim, http.MethodPost, "/v1/person/subscriptions", `{"people":`+people+`}`)), &reply))
	return reply.People
}

func TestSubscriptionsIdentifierPrecedence(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	people := lookup(t, sim, `[
		{"person_id":"`+adaID+`","email":"grace.hopper@example.com","external_id":"crm-1912"},
		{"email":"GRACE.Hopper@Example.com","external_id":"crm-1912"},
		{"external_id":"crm-1912"},
		{"person_id":"ffffffffffffffffffffffff","email":"grace.hopper@example.com"},
		{"email":"nobody@example.com"},
		{"external_id":"crm-0000"}
	]`)
	require.Len(t, people, 6, "one entry per requested person")

	type want struct {
		status, id, email, ext string
		hasEmail, hasExt       bool
	}
	wants := []want{
		{status: "by-id", id: adaID},
		{status: "merged", id: graceID, email: "grace.hopper@example.com", hasEmail: true},
		{status: "by-external-id", id: "00650c20d4e6f8a1b3c5d700", ext: "crm-1912", hasExt: true},
		{status: "not-found", id: "ffffffffffffffffffffffff"},
		{status: "not-found", email: "nobody@example.com", hasEmail: true},
		{status: "not-found", ext: "crm-0000", hasExt: true},
	}
	for i, w := range wants {
		p := people[i]
		assert.Equal(t, w.status, p["person_status"], i)
		if w.id != "" {
			assert.Equal(t, w.id, p["person_id"], i)
		} else {
			assert.NotContains(t, p, "person_id", i)
		}
		_, hasEmail := p["email"]
		_, hasExt := p["external_id"]
		assert.Equal(t, w.hasEmail, hasEmail, "email key present, entry %d", i)
		assert.Equal(t, w.hasExt, hasExt, "external_id key present, entry %d", i)
		if w.hasEmail {
			assert.Equal(t, w.email, p["email"], i)
		}
		if w.hasExt {
			assert.Equal(t, w.ext, p["external_id"], i)
		}
		_, hasSubs := p["subscriptions"]
		assert.Equal(t, w.status != "not-found", hasSubs, "subscriptions only on found people, entry %d", i)
	}
}

func TestSubscriptionsReplyShape(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	got := ok(t, sim, http.MethodPost, "/v1/person/subscriptions", `{"people":[{"person_id":"`+edsgerID+`"}]}`)
	assert.JSONEq(t, `{"people":[{"person_status":"by-id","person_id":"`+edsgerID+`","subscriptions":[
		{"audience_id":"6241681069639ee210f8a29a","audience_name":"Engaged subscribers","member_from":"2024-07-07T07:07:07Z",
		 "subscribed":true,"subscribed_from":"2024-07-07T07:07:08Z","sms_opted_in":false,"whatsapp_opted_in":false,
		 "ios_opted_in":false,"android_opted_in":false,"web_opted_in":true}],
		"email_permissions":true,"sms_permissions":false,"ios_permissions":false,"android_permissions":false,"web_permissions":true}]}`, got)
	// Keys in the order of the recorded replies.
	assert.True(t, strings.HasPrefix(got, `{"people":[{"person_status":"by-id","person_id":`), got)
}

func TestStateRoundTrip(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	doc := `{"people":[{"person_id":"aaaaaaaaaaaaaaaaaaaaaaaa","email":"x@example.com","external_id":"e-1",
		"subscriptions":[{"audience_id":"bbbbbbbbbbbbbbbbbbbbbbbb","audience_name":"Weekly updates","member_from":"2025-01-02T03:04:05Z",
		"subscribed":true,"subscribed_from":"2025-01-02T03:04:05Z","unsubscribed_from":"2025-02-02T03:04:05Z","sms_opted_in":true,
		"sms_opted_out_from":"2025-03-02T03:04:05Z","whatsapp_opted_in":true,"ios_opted_in":true,"android_opted_in":true,"web_opted_in":true}],
		"email_permissions":true,"sms_permissions":true,"ios_permissions":true,"android_permissions":true,"web_permissions":true}],
		"accounts":[{"id":"cccccccccccccccccccccccc","fields":{"str:o:name":"Acme","int:o:employees":12},"archived":true}]}`
	require.NoError(t, sim.SetState([]byte(doc)))
	assert.JSONEq(t, doc, string(must(sim.State())))

	// The state is what the endpoints serve.
	assert.JSONEq(t, `{"scheduled_accounts":0,"deleted_accounts":1}`,
		ok(t, sim, http.MethodDelete, "/v1/accounts/delete", `{"inclusion_ids":["cccccccccccccccccccccccc"]}`))
	people := lookup(t, sim, `[{"email":"X@example.com"}]`)
	assert.Equal(t, "aaaaaaaaaaaaaaaaaaaaaaaa", people[0]["person_id"])

	sim.Reset()
	assert.Len(t, state(t, sim).People, 5)
}

func TestSetStateRejectsMalformed(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	before := must(sim.State())
	for name, doc := range map[string]string{
		"not json":             `{"people":`,
		"unknown field":        `{"persons":[]}`,
		"trailing data":        `{} {}`,
		"person without id":    `{"people":[{"email":"a@example.com"}]}`,
		"duplicate person_id":  `{"people":[{"person_id":"a"},{"person_id":"a"}]}`,
		"duplicate email":      `{"people":[{"person_id":"a","email":"A@example.com"},{"person_id":"b","email":"a@example.com"}]}`,
		"duplicate external":   `{"people":[{"person_id":"a","external_id":"x"},{"person_id":"b","external_id":"x"}]}`,
		"bad timestamp":        `{"people":[{"person_id":"a","subscriptions":[{"audience_id":"s","member_from":"yesterday"}]}]}`,
		"audience without id":  `{"people":[{"person_id":"a","subscriptions":[{"audience_name":"x"}]}]}`,
		"account without id":   `{"accounts":[{"fields":{}}]}`,
		"duplicate account id": `{"accounts":[{"id":"a"},{"id":"a"}]}`,
		"wrong type":           `{"accounts":[{"id":"a","archived":"yes"}]}`,
	} {
		assert.Error(t, sim.SetState([]byte(doc)), name)
	}
	assert.JSONEq(t, string(before), string(must(sim.State())), "a rejected document leaves the state unchanged")

	require.NoError(t, sim.SetState([]byte(`{}`)))
	assert.JSONEq(t, `{"people":[],"accounts":[]}`, string(must(sim.State())))
}

func TestFaultBodies(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: 429, RetryAfterSeconds: 7})
	status, b := call(t, sim, http.MethodPost, "/v1/person/subscriptions", orttosim.APIKey, `{"people":[{"email":"a@example.com"}]}`)
	assert.Equal(t, 429, status)
	assert.JSONEq(t, `{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":7}}`, string(b))

	sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: 503})
	status, b = call(t, sim, http.MethodPut, "/v1/accounts/archive", orttosim.APIKey, `{"inclusion_ids":["`+mainIDs[0]+`"]}`)
	assert.Equal(t, 503, status)
	assertOrttoError(t, b, 503, "simulated fault")
	assert.Equal(t, "main", accountStates(t, sim)[mainIDs[0]], "a faulted call does not reach the store")
}

func TestHandlerWithoutListenerAndRecorder(t *testing.T) {
	rec := simkit.NewRecorder(0)
	sim := newSim(t, orttosim.Options{NoListener: true, Recorder: rec})
	assert.Equal(t, "", sim.URL())
	assert.Equal(t, "ortto", sim.Name())
	assert.Same(t, rec, sim.Recorder())

	mux := simkit.Mux(rec, sim.Faults(), sim)
	req, _ := http.NewRequest(http.MethodPut, "/ortto/v1/accounts/archive", bytes.NewReader([]byte(`{"inclusion_ids":["`+mainIDs[0]+`"]}`)))
	req.Header.Set("X-Api-Key", orttosim.APIKey)
	w := &responseRecorder{header: http.Header{}}
	mux.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.status)
	assert.JSONEq(t, `{"scheduled_organizations":0,"archived_organizations":1}`, w.body.String())
	entries := rec.Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, "/v1/accounts/archive", entries[0].Path)
	assert.Equal(t, "REDACTED", entries[0].Headers["X-Api-Key"])
}

type responseRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *responseRecorder) Header() http.Header { return r.header }
func (r *responseRecorder) WriteHeader(s int)   { r.status = s }
func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// TestConcurrentUse is meant for -race: requests, State, SetState and
// Reset at once.
func TestConcurrentUse(t *testing.T) {
	sim := newSim(t, orttosim.Options{})
	send := func(method, path, body string) {
		req, err := http.NewRequest(method, sim.URL()+path, strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		req.Header.Set("X-Api-Key", orttosim.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: status %d", method, path, resp.StatusCode)
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				switch (i + j) % 5 {
				case 0:
					send(http.MethodPut, "/v1/accounts/archive", `{"all_rows_selected":true}`)
				case 1:
					send(http.MethodPost, "/v1/person/subscriptions", `{"people":[{"email":"ada.lovelace@example.com"}]}`)
				case 2:
					_, _ = sim.State()
				case 3:
					sim.Reset()
				case 4:
					send(http.MethodPost, "/v1/accounts/get", `{"fields":["str:o:name"],"type":"archived"}`)
				}
			}
		}(i)
	}
	wg.Wait()
	assert.Len(t, state(t, sim).People, 5)
}
