package cordialsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// harness is a simulator on its own loopback listener with a raw client.
type harness struct {
	t   *testing.T
	sim *Server
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	sim, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	return &harness{t: t, sim: sim}
}

type reply struct {
	status int
	header http.Header
	body   string
}

// json decodes the reply body into a generic value.
func (r reply) json(t *testing.T) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(r.body), &v), "body: %s", r.body)
	return v
}

// do sends a request with the sandbox key unless key is overridden.
func (h *harness) do(method, path, contentType, body string, key ...string) reply {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.sim.URL()+path, rd)
	require.NoError(h.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	k := APIKey
	if len(key) > 0 {
		k = key[0]
	}
	if k != "" {
		req.SetBasicAuth(k, "")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (h *harness) jsonDo(method, path, body string) reply {
	h.t.Helper()
	return h.do(method, path, "application/json", body)
}

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		name string
		key  string
	}{
		{"missing", ""},
		{"wrong", "KEY-SECRET-123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(http.MethodGet, "/v2/accountlists", "", "", tc.key)
			assert.Equal(t, http.StatusUnauthorized, r.status)
			assert.Equal(t, "Basic", r.header.Get("WWW-Authenticate"))
			assert.JSONEq(t, `{"error":"Access Denied: Authentication Failure"}`, r.body)
		})
	}
	r := h.do(http.MethodGet, "/v2/accountlists", "", "")
	assert.Equal(t, http.StatusOK, r.status)

	custom := newHarness(t, Options{APIKey: "other-key"})
	assert.Equal(t, http.StatusUnauthorized, custom.do(http.MethodGet, "/v2/accountlists", "", "").status)
	assert.Equal(t, http.StatusOK, custom.do(http.MethodGet, "/v2/accountlists", "", "", "other-key").status)
}

func TestDemoDataAndLists(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(http.MethodGet, "/v2/accountlists", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `[
		{"id":1,"name":"vip-customers","enhanced":true},
		{"id":2,"name":"weekly_specials","enhanced":false},
		{"id":3,"name":"net-promoters","enhanced":true},
		{"id":4,"name":"daily-deals","enhanced":false}]`, r.body)

	r = h.do(http.MethodGet, "/v2/accountlists?name=net-promoters", "", "")
	assert.JSONEq(t, `[{"id":3,"name":"net-promoters","enhanced":true}]`, r.body)

	for _, q := range []string{"?name=nobody", "?name=NET-PROMOTERS", "?name=net"} {
		r = h.do(http.MethodGet, "/v2/accountlists"+q, "", "")
		assert.Equal(t, http.StatusOK, r.status, q)
		assert.Equal(t, "[]\n", r.body, q)
	}
	r = h.do(http.MethodGet, "/v2/accountlists?name=", "", "")
	assert.Len(t, r.json(t), 4, "an empty name filter is ignored")

	empty := newHarness(t, Options{Empty: true})
	r = empty.do(http.MethodGet, "/v2/accountlists", "", "")
	assert.Equal(t, "[]\n", r.body)
}

func TestCreate(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"safe_drivers","enhanced":true}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, `{"success":true,"id":5}`+"\n", r.body)

	r = h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"vip_guests"}`)
	assert.JSONEq(t, `{"success":true,"id":6}`, r.body, "ids increase")

	r = h.do(http.MethodGet, "/v2/accountlists/5", "", "")
	assert.JSONEq(t, `{"id":5,"name":"safe_drivers","enhanced":true}`, r.body)
	r = h.do(http.MethodGet, "/v2/accountlists/6/count", "", "")
	assert.JSONEq(t, `{"id":6,"name":"vip_guests","enhanced":false,"count":0}`, r.body, "enhanced defaults to false")

	r = h.do(http.MethodPost, "/v2/accountlists", "application/x-www-form-urlencoded", "name=form-list&enhanced=1")
	require.Equal(t, http.StatusOK, r.status, r.body)
	r = h.do(http.MethodGet, "/v2/accountlists?name=form-list", "", "")
	assert.JSONEq(t, `[{"id":7,"name":"form-list","enhanced":true}]`, r.body)

	r = h.do(http.MethodPost, "/v2/accountlists", "application/json; charset=utf-8", `{"name":"charset-ok"}`)
	assert.Equal(t, http.StatusOK, r.status, "media type parameters are allowed")

	r = h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"safe_drivers","enhanced":false}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.JSONEq(t, `{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":"Name must be unique"}`, r.body)

	r = h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"Safe_Drivers"}`)
	assert.Equal(t, http.StatusOK, r.status, "uniqueness is case-sensitive (inference)")
}

func TestNameRules(t *testing.T) {
	invalid := `{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":"Name must contain only letters, numbers, and dashes. Should not exceed 128 characters."}`
	reserved := `{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":"cid is not allowed for list names."}`
	for _, tc := range []struct {
		name string
		body string
		want string // "" = accepted
	}{
		{"letters digits dash underscore", `{"name":"Ab-9_z"}`, ""},
		{"128 chars", fmt.Sprintf(`{"name":%q}`, strings.Repeat("a", 128)), ""},
		{"129 chars", fmt.Sprintf(`{"name":%q}`, strings.Repeat("a", 129)), invalid},
		{"empty", `{"name":""}`, invalid},
		{"missing", `{"enhanced":true}`, invalid},
		{"null", `{"name":null}`, invalid},
		{"empty body", ``, invalid},
		{"space", `{"name":"safe drivers"}`, invalid},
		{"dot", `{"name":"a.b"}`, invalid},
		{"non-ascii letter", `{"name":"café"}`, invalid},
		{"cid", `{"name":"cid"}`, reserved},
		{"CID", `{"name":"CID"}`, reserved},
		{"cid prefix is fine", `{"name":"cid-list"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{Empty: true})
			r := h.jsonDo(http.MethodPost, "/v2/accountlists", tc.body)
			if tc.want == "" {
				assert.Equal(t, http.StatusOK, r.status, r.body)
				return
			}
			assert.Equal(t, http.StatusUnprocessableEntity, r.status)
			assert.JSONEq(t, tc.want, r.body)
			assert.Equal(t, "[]\n", h.do(http.MethodGet, "/v2/accountlists", "", "").body, "nothing created")
		})
	}
}

func TestBodyErrors(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		name, method, path, ct, body string
		status                       int
		key                          string
	}{
		{"text/plain", http.MethodPost, "/v2/accountlists", "text/plain", `{"name":"x"}`, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", http.MethodPost, "/v2/accountlists", "", `{"name":"x"}`, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"415 on put", http.MethodPut, "/v2/accountlists/1", "application/xml", `<name/>`, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"bad json", http.MethodPost, "/v2/accountlists", "application/json", `{"name":`, 400, "INVALID_JSON_PROVIDED"},
		{"json array", http.MethodPost, "/v2/accountlists", "application/json", `[]`, 400, "INVALID_JSON_PROVIDED"},
		{"bad json on put", http.MethodPut, "/v2/accountlists/1", "application/json", `nope`, 400, "INVALID_JSON_PROVIDED"},
		{"name not a string", http.MethodPost, "/v2/accountlists", "application/json", `{"name":5}`, 422, "VALIDATION_ERROR"},
		{"enhanced not a bool", http.MethodPost, "/v2/accountlists", "application/json", `{"name":"x","enhanced":"yes"}`, 422, "VALIDATION_ERROR"},
		{"form enhanced not a bool", http.MethodPost, "/v2/accountlists", "application/x-www-form-urlencoded", `name=x&enhanced=maybe`, 422, "VALIDATION_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.method, tc.path, tc.ct, tc.body)
			assert.Equal(t, tc.status, r.status, r.body)
			m, ok := r.json(t).(map[string]any)
			require.True(t, ok, r.body)
			assert.Equal(t, true, m["error"])
			assert.Equal(t, tc.key, m["errorKey"])
			assert.NotEmpty(t, m["message"])
		})
	}
	// Nothing above changed the demo data.
	assert.Len(t, h.do(http.MethodGet, "/v2/accountlists", "", "").json(t), 4)
	assert.JSONEq(t, `{"id":1,"name":"vip-customers","enhanced":true}`, h.do(http.MethodGet, "/v2/accountlists/1", "", "").body)
}

func TestGetAndCount(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(http.MethodGet, "/v2/accountlists/3", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"id":3,"name":"net-promoters","enhanced":true}`+"\n", r.body, "ListShow has no count and no other field")

	r = h.do(http.MethodGet, "/v2/accountlists/3/count", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"id":3,"name":"net-promoters","enhanced":true,"count":3}`+"\n", r.body)
}

func TestUnknownIDs(t *testing.T) {
	notExist := `{"error":true,"errorKey":"ACCOUNT_LISTS_NOT_FOUND","message":"List does not exist"}`
	notFound := `{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":"List is not found"}`
	record := `{"error":true,"errorKey":"RECORD_NOT_FOUND","message":"record not found"}`
	h := newHarness(t, Options{})
	for _, id := range []string{"999", "0", "-1", "abc", "1.5"} {
		for _, tc := range []struct {
			method, sub, body, want string
		}{
			{http.MethodGet, "", "", notExist},
			{http.MethodGet, "/count", "", notExist},
			{http.MethodPut, "/clear", "", notExist},
			{http.MethodPut, "", `{"name":"fine"}`, notFound},
			{http.MethodDelete, "", "", record},
		} {
			t.Run(tc.method+" "+id+tc.sub, func(t *testing.T) {
				r := h.jsonDo(tc.method, "/v2/accountlists/"+id+tc.sub, tc.body)
				assert.Equal(t, http.StatusNotFound, r.status)
				assert.JSONEq(t, tc.want, r.body)
			})
		}
	}
	// A PUT to an unknown id is 404 even with an invalid body.
	r := h.jsonDo(http.MethodPut, "/v2/accountlists/999", `{"name":"bad name"}`)
	assert.Equal(t, http.StatusNotFound, r.status)
}

func TestUpdate(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.jsonDo(http.MethodPut, "/v2/accountlists/2", `{"id":2,"name":"vip_guests","enhanced":true}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, `[{"id":2,"name":"vip_guests","enhanced":true}]`+"\n", r.body)
	assert.JSONEq(t, `{"id":2,"name":"vip_guests","enhanced":true,"count":4}`, h.do(http.MethodGet, "/v2/accountlists/2/count", "", "").body, "rename keeps the count")
	assert.Equal(t, "[]\n", h.do(http.MethodGet, "/v2/accountlists?name=weekly_specials", "", "").body, "old name is gone")

	r = h.jsonDo(http.MethodPut, "/v2/accountlists/2", `{"name":"vip_guests"}`)
	require.Equal(t, http.StatusOK, r.status, "keeping its own name is not a clash")
	assert.JSONEq(t, `[{"id":2,"name":"vip_guests","enhanced":true}]`, r.body, "absent enhanced keeps its value")

	r = h.do(http.MethodPut, "/v2/accountlists/2", "application/x-www-form-urlencoded", "name=vip_guests&enhanced=false")
	assert.JSONEq(t, `[{"id":2,"name":"vip_guests","enhanced":false}]`, r.body)

	for _, tc := range []struct{ name, body, want string }{
		{"onto another list's name", `{"name":"vip-customers"}`, "Name must be unique"},
		{"invalid", `{"name":"no spaces"}`, msgInvalidName},
		{"missing name", `{"enhanced":true}`, msgInvalidName},
		{"reserved", `{"name":"cid"}`, msgReservedName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.jsonDo(http.MethodPut, "/v2/accountlists/2", tc.body)
			assert.Equal(t, http.StatusUnprocessableEntity, r.status)
			assert.JSONEq(t, fmt.Sprintf(`{"error":true,"errorKey":"GENERIC_ERROR_KEY","message":%q}`, tc.want), r.body)
		})
	}
	assert.JSONEq(t, `{"id":2,"name":"vip_guests","enhanced":false}`, h.do(http.MethodGet, "/v2/accountlists/2", "", "").body, "rejected updates change nothing")
}

func TestClearAndDelete(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(http.MethodPut, "/v2/accountlists/2/clear", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"success":true,"id":2}`+"\n", r.body)
	assert.JSONEq(t, `{"id":2,"name":"weekly_specials","enhanced":false,"count":0}`, h.do(http.MethodGet, "/v2/accountlists/2/count", "", "").body, "clear keeps the list")
	assert.JSONEq(t, `{"id":1,"name":"vip-customers","enhanced":true,"count":2}`, h.do(http.MethodGet, "/v2/accountlists/1/count", "", "").body, "other lists untouched")

	r = h.do(http.MethodDelete, "/v2/accountlists/4", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"success":true}`+"\n", r.body)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/v2/accountlists/4", "", "").status)
	assert.Len(t, h.do(http.MethodGet, "/v2/accountlists", "", "").json(t), 3)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodDelete, "/v2/accountlists/4", "", "").status, "second delete")

	r = h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"daily-deals"}`)
	require.Equal(t, http.StatusOK, r.status, "a deleted list's name is free again")
	assert.JSONEq(t, `{"success":true,"id":5}`, r.body, "ids are not reused")
}

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range []string{"/", "/v1/accountlists", "/v2/accountlists/1/members", "/v2/accountlists/1/count/x", "/v2/contacts", "/v2/accountlistsx"} {
		r := h.do(http.MethodGet, p, "", "")
		assert.Equal(t, http.StatusNotFound, r.status, p)
		assert.JSONEq(t, fmt.Sprintf(`{"error":"'%s' is not found."}`, p), r.body, p)
	}
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodDelete, "/v2/accountlists", "GET, POST"},
		{http.MethodPost, "/v2/accountlists/1", "GET, PUT, DELETE"},
		{http.MethodPut, "/v2/accountlists/1/count", "GET"},
		{http.MethodGet, "/v2/accountlists/1/clear", "PUT"},
	} {
		r := h.do(tc.method, tc.path, "", "")
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, tc.method+" "+tc.path)
		assert.Equal(t, tc.allow, r.header.Get("Allow"))
		assert.JSONEq(t, `{"error":true,"errorKey":"METHOD_NOT_ALLOWED","message":"Method Not Allowed"}`, r.body)
	}
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/v2/accountlists/1", "", "").status, "405s changed nothing")
	// Auth comes before routing.
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/nowhere", "", "", "").status)
}

func TestStateRoundTripAndReset(t *testing.T) {
	h := newHarness(t, Options{})
	doc, err := h.sim.State()
	require.NoError(t, err)
	assert.JSONEq(t, `{"accountlists":[
		{"id":1,"name":"vip-customers","enhanced":true,"count":2},
		{"id":2,"name":"weekly_specials","enhanced":false,"count":4},
		{"id":3,"name":"net-promoters","enhanced":true,"count":3},
		{"id":4,"name":"daily-deals","enhanced":false,"count":0}]}`, string(doc))

	require.NoError(t, h.sim.SetState([]byte(`{"accountlists":[{"id":10,"name":"only","enhanced":true,"count":42}]}`)))
	assert.JSONEq(t, `{"id":10,"name":"only","enhanced":true,"count":42}`, h.do(http.MethodGet, "/v2/accountlists/10/count", "", "").body)
	r := h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"next"}`)
	assert.JSONEq(t, `{"success":true,"id":11}`, r.body, "ids continue after the highest loaded id")
	got, err := h.sim.State()
	require.NoError(t, err)
	assert.JSONEq(t, `{"accountlists":[{"id":10,"name":"only","enhanced":true,"count":42},{"id":11,"name":"next","enhanced":false,"count":0}]}`, string(got))

	require.NoError(t, h.sim.SetState([]byte(`{"accountlists":[]}`)))
	assert.Equal(t, "[]\n", h.do(http.MethodGet, "/v2/accountlists", "", "").body)

	h.sim.Reset()
	after, err := h.sim.State()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(after))
}

func TestSetStateRejectsMalformed(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"not json", `{`},
		{"trailing data", `{"accountlists":[]} {}`},
		{"missing key", `{}`},
		{"unknown field", `{"accountlists":[],"accounts":[]}`},
		{"unknown list field", `{"accountlists":[{"id":1,"name":"a","description":"x"}]}`},
		{"zero id", `{"accountlists":[{"id":0,"name":"a"}]}`},
		{"missing id", `{"accountlists":[{"name":"a"}]}`},
		{"duplicate id", `{"accountlists":[{"id":1,"name":"a"},{"id":1,"name":"b"}]}`},
		{"duplicate name", `{"accountlists":[{"id":1,"name":"a"},{"id":2,"name":"a"}]}`},
		{"invalid name", `{"accountlists":[{"id":1,"name":"a b"}]}`},
		{"reserved name", `{"accountlists":[{"id":1,"name":"cid"}]}`},
		{"negative count", `{"accountlists":[{"id":1,"name":"a","count":-1}]}`},
		{"string id", `{"accountlists":[{"id":"1","name":"a"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{NoListener: true})
			before, err := h.sim.State()
			require.NoError(t, err)
			assert.Error(t, h.sim.SetState([]byte(tc.doc)))
			after, err := h.sim.State()
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "state unchanged")
		})
	}
}

func TestFaultsAndRecorder(t *testing.T) {
	h := newHarness(t, Options{})
	h.sim.Faults().Set(simkit.Fault{Vendor: "cordial", Status: http.StatusTooManyRequests, RetryAfterSeconds: 3})
	r := h.do(http.MethodGet, "/v2/accountlists", "", "")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "3", r.header.Get("Retry-After"))
	assert.JSONEq(t, `{"error":true,"errorKey":"SIMULATED_FAULT","message":"simulated fault"}`, r.body)
	h.sim.Faults().Clear()

	h.sim.Recorder().Clear()
	h.jsonDo(http.MethodPost, "/v2/accountlists", `{"name":"rec"}`)
	entries := h.sim.Recorder().Entries()
	require.Len(t, entries, 1)
	e := entries[0]
	assert.Equal(t, "cordial", e.Vendor)
	assert.Equal(t, http.MethodPost, e.Method)
	assert.Equal(t, "/v2/accountlists", e.Path)
	assert.Empty(t, e.Query)
	assert.Equal(t, `{"name":"rec"}`, e.Body)
	assert.Equal(t, http.StatusOK, e.Status)
	assert.Equal(t, "REDACTED", e.Headers["Authorization"])
}

func TestSharedRecorderAndMux(t *testing.T) {
	rec, faults := simkit.NewRecorder(0), simkit.NewFaults()
	sim, err := New(Options{NoListener: true, Recorder: rec, Faults: faults})
	require.NoError(t, err)
	assert.Equal(t, "", sim.URL())
	assert.Equal(t, "cordial", sim.Name())
	ts := httptest.NewServer(simkit.Mux(rec, faults, sim))
	defer ts.Close()

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/cordial/v2/accountlists/1", nil)
	req.SetBasicAuth(APIKey, "")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"id":1,"name":"vip-customers","enhanced":true}`, string(body))
	require.Equal(t, 1, rec.Count("cordial"))
	assert.Equal(t, "/v2/accountlists/1", rec.Entries()[0].Path)

	resp, err = http.Get(ts.URL + "/_sim/state/cordial")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `"accountlists"`)
}

func TestConcurrentCreatesGetDistinctIDs(t *testing.T) {
	h := newHarness(t, Options{Empty: true})
	const n = 40
	var wg sync.WaitGroup
	ids := make(chan float64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Every name twice: exactly one of each pair may win.
			body := fmt.Sprintf(`{"name":"list-%d"}`, i/2)
			req, _ := http.NewRequest(http.MethodPost, h.sim.URL()+"/v2/accountlists", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(APIKey, "")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var v struct{ ID float64 }
			if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&v) == nil {
				ids <- v.ID
			}
		}(i)
	}
	wg.Wait()
	close(ids)
	seen := map[float64]bool{}
	for id := range ids {
		assert.False(t, seen[id], "duplicate id %v", id)
		seen[id] = true
	}
	assert.Len(t, seen, n/2)
	assert.Len(t, h.do(http.MethodGet, "/v2/accountlists", "", "").json(t), n/2)
}

// TestRefusesUnknownKeys: a body key or query parameter the endpoint does
// not take is refused with Cordial's recorded validationErrors shape, and
// the refusal changes nothing; PUT takes the document's id, which must be
// the path's.
func TestRefusesUnknownKeys(t *testing.T) {
	h := newHarness(t, Options{})
	before, err := h.sim.State()
	require.NoError(t, err)
	cases := []struct {
		name, method, path, contentType, body, key string
	}{
		{"create misspelled enhanced", http.MethodPost, "/v2/accountlists", "application/json", `{"name":"typo_list","enhansed":true}`, "enhansed"},
		{"create with id", http.MethodPost, "/v2/accountlists", "application/json", `{"name":"typo_list","id":5}`, "id"},
		{"create form misspelled", http.MethodPost, "/v2/accountlists", "application/x-www-form-urlencoded", `name=typo_list&enhanced=true&nmae=x`, "nmae"},
		{"update misspelled enhanced", http.MethodPut, "/v2/accountlists/1", "application/json", `{"id":1,"name":"renamed","enchanced":true}`, "enchanced"},
		{"update id of another list", http.MethodPut, "/v2/accountlists/1", "application/json", `{"id":2,"name":"renamed"}`, "id"},
		{"update id not a number", http.MethodPut, "/v2/accountlists/1", "application/json", `{"id":"one","name":"renamed"}`, "id"},
		{"list paging", http.MethodGet, "/v2/accountlists?per_page=2", "", "", "per_page"},
		{"count query", http.MethodGet, "/v2/accountlists/1/count?name=x", "", "", "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.method, tc.path, tc.contentType, tc.body)
			assert.Equal(t, http.StatusUnprocessableEntity, r.status, r.body)
			var got struct {
				Error    bool `json:"error"`
				Messages struct {
					ValidationErrors map[string][]string `json:"validationErrors"`
				} `json:"messages"`
			}
			require.NoError(t, json.Unmarshal([]byte(r.body), &got), r.body)
			assert.True(t, got.Error)
			assert.Contains(t, got.Messages.ValidationErrors, tc.key, r.body)
			after, err := h.sim.State()
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "a refused call changes nothing")
		})
	}
	// The document's PUT body, id included, is accepted.
	r := h.jsonDo(http.MethodPut, "/v2/accountlists/1", `{"id":1,"name":"vip_guests","enhanced":true}`)
	assert.Equal(t, http.StatusOK, r.status, r.body)
	assert.Contains(t, r.body, `"name":"vip_guests"`)
}
