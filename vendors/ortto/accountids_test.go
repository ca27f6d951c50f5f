package ortto_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// mixedAccounts replaces the simulator's accounts with nMain main-list and
// nArch archived accounts spread among them, and returns both lists in
// store (Ortto's) order.
func mixedAccounts(t *testing.T, e *env, nMain, nArch int) (mainList, archList []string) {
	t.Helper()
	total := nMain + nArch
	accounts := make([]map[string]any, 0, total)
	for i := 0; i < total; i++ {
		id := fmt.Sprintf("3069%020x", i)
		archived := nArch > 0 && i%(total/nArch) == 1 && len(archList) < nArch
		if archived {
			archList = append(archList, id)
		} else {
			mainList = append(mainList, id)
		}
		accounts = append(accounts, map[string]any{"id": id, "fields": map[string]any{"str:o:name": fmt.Sprintf("Account %d", i)}, "archived": archived})
	}
	doc, err := json.Marshal(map[string]any{"accounts": accounts})
	require.NoError(t, err)
	require.NoError(t, e.sim.SetState(doc))
	require.Len(t, mainList, nMain)
	require.Len(t, archList, nArch)
	return mainList, archList
}

// assertOnlyListed checks that every request the simulator saw was an
// accounts listing: no archive, restore or delete was sent.
func assertOnlyListed(t *testing.T, e *env, calls int) {
	t.Helper()
	entries := e.sim.Recorder().Entries()
	assert.Len(t, entries, calls)
	for _, en := range entries {
		assert.Equal(t, http.MethodPost, en.Method)
		assert.Equal(t, "/v1/accounts/get", en.Path)
	}
}

func TestAccountIDsWireShape(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	ctx := context.Background()

	got, err := e.client.AccountIDs(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, mainIDs, got)
	got, err = e.client.AccountIDs(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, archIDs, got)

	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 2)
	for i, body := range []string{
		`{"limit":500,"offset":0,"fields":["str:o:name"]}`,
		`{"limit":500,"offset":0,"fields":["str:o:name"],"type":"archived"}`,
	} {
		assert.Equal(t, http.MethodPost, entries[i].Method)
		assert.Equal(t, "/v1/accounts/get", entries[i].Path, "resolved relative to the /prefix base")
		assert.Empty(t, entries[i].Query)
		assert.JSONEq(t, body, entries[i].Body)
		assert.Equal(t, "application/json", entries[i].Headers["Content-Type"])
		assert.Equal(t, "REDACTED", entries[i].Headers["X-Api-Key"])
		assert.Equal(t, 200, entries[i].Status)
	}

	empty, err := orttosim.New(orttosim.Options{NoListener: true, APIKey: secretKey, Empty: true})
	require.NoError(t, err)
	e2 := newEnvWith(t, empty, http.StripPrefix("/prefix", empty.Handler()), ortto.Config{})
	got, err = e2.client.AccountIDs(ctx, true)
	require.NoError(t, err)
	assert.NotNil(t, got, "an empty list is [], not nil")
	assert.Empty(t, got)
}

func TestAccountIDsPaging(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	mainList, archList := mixedAccounts(t, e, 1200, 9)

	got, err := e.client.AccountIDs(context.Background(), false)
	require.NoError(t, err)
	assert.Equal(t, mainList, got, "every main-list account, in order, none archived")
	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 3)
	for i, offset := range []int{0, 500, 1000} {
		assert.JSONEq(t, fmt.Sprintf(`{"limit":500,"offset":%d,"fields":["str:o:name"]}`, offset), entries[i].Body, "page %d", i)
	}

	e.sim.Recorder().Clear()
	got, err = e.client.AccountIDs(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, archList, got)
	assert.Len(t, e.sim.Recorder().Entries(), 1)
}

// TestAccountIDsIsARead proves the listing is marked as a read for the
// chain (and, as a control, that a mutation is not).
func TestAccountIDsIsARead(t *testing.T) {
	var mu sync.Mutex
	reads := map[string][]bool{}
	hc := &http.Client{Transport: outboundtest.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		reads[r.Method+" "+r.URL.Path] = append(reads[r.Method+" "+r.URL.Path], outbound.IsRead(r))
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})}
	e := newEnv(t, ortto.Config{HTTPClient: hc})
	mixedAccounts(t, e, 501, 0)
	_, err := e.client.AccountIDs(context.Background(), false)
	require.NoError(t, err)
	_, err = e.client.Affected(context.Background(), "restore", ortto.AccountSelection{AllRowsSelected: true})
	require.NoError(t, err)
	_, err = e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{AllRowsSelected: true})
	require.NoError(t, err)
	assert.Equal(t, map[string][]bool{
		"POST /prefix/v1/accounts/get":    {true, true, true},
		"PUT /prefix/v1/accounts/archive": {false},
	}, reads)
}

func TestAccountIDsErrors(t *testing.T) {
	tests := []struct {
		status    int
		kind      outbound.Kind
		retryable bool
	}{
		{400, outbound.KindBadInput, false},
		{401, outbound.KindAuth, false},
		{403, outbound.KindAuth, false},
		{429, outbound.KindRateLimited, true},
		{500, outbound.KindUpstream, false},
		{503, outbound.KindUnavailable, true},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			e := newEnv(t, ortto.Config{})
			e.sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: tc.status})
			got, err := e.client.AccountIDs(context.Background(), true)
			assert.Nil(t, got)
			ve := vendorError(t, err)
			assert.Equal(t, tc.kind, ve.Kind)
			assert.Equal(t, tc.status, ve.HTTPStatus)
			assert.Equal(t, tc.retryable, ve.Retryable)
			assert.Equal(t, "get accounts", ve.Operation)

			_, err = e.client.Affected(context.Background(), "delete", ortto.AccountSelection{AllRowsSelected: true})
			assert.Equal(t, tc.kind, vendorError(t, err).Kind)
			assertOnlyListed(t, e, 2)
		})
	}

	t.Run("wrong key", func(t *testing.T) {
		sim, err := orttosim.New(orttosim.Options{NoListener: true, APIKey: "the-right-key"})
		require.NoError(t, err)
		e := newEnvWith(t, sim, http.StripPrefix("/prefix", sim.Handler()), ortto.Config{})
		_, err = e.client.AccountIDs(context.Background(), false)
		ve := vendorError(t, err)
		assert.Equal(t, outbound.KindAuth, ve.Kind)
		assert.Equal(t, "Invalid API key", ve.Message)
	})

	t.Run("malformed reply", func(t *testing.T) {
		e := newEnv(t, ortto.Config{})
		e.sim.Faults().Set(simkit.Fault{Vendor: "ortto", Malformed: true})
		_, err := e.client.AccountIDs(context.Background(), false)
		assert.Equal(t, outbound.KindUpstream, vendorError(t, err).Kind)
	})

	t.Run("closed server", func(t *testing.T) {
		e := newEnv(t, ortto.Config{})
		e.ts.Close()
		_, err := e.client.Affected(context.Background(), "archive", ortto.AccountSelection{AllRowsSelected: true})
		ve := vendorError(t, err)
		assert.Equal(t, outbound.KindUnavailable, ve.Kind)
		assert.NotContains(t, err.Error(), e.ts.URL)
	})

	t.Run("a failed page fails the listing", func(t *testing.T) {
		sim, err := orttosim.New(orttosim.Options{NoListener: true, APIKey: secretKey})
		require.NoError(t, err)
		h := http.StripPrefix("/prefix", sim.Handler())
		var n atomic.Int32
		e := newEnvWith(t, sim, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 2 {
				sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: 503})
				defer sim.Faults().Clear()
			}
			h.ServeHTTP(w, r)
		}), ortto.Config{})
		mixedAccounts(t, e, 1200, 0)
		got, err := e.client.AccountIDs(context.Background(), false)
		assert.Nil(t, got, "no partial list")
		assert.Equal(t, outbound.KindUnavailable, vendorError(t, err).Kind)
		assert.Len(t, e.sim.Recorder().Entries(), 2, "no page after the failed one")
	})
}

// TestAccountIDsPagingGuards serves replies that would make a naive pager
// loop for ever or report ids twice.
func TestAccountIDsPagingGuards(t *testing.T) {
	tests := []struct {
		name    string
		reply   func(offset int) string
		calls   int
		want    []string
		errText string
	}{
		{
			name: "has_more for ever stops at the page cap",
			reply: func(offset int) string {
				return fmt.Sprintf(`{"accounts":[{"id":"a%d"}],"offset":%d,"next_offset":%d,"has_more":true}`, offset, offset, offset+500)
			},
			calls:   ortto.MaxListPages,
			errText: "longer than 200 pages of 500",
		},
		{
			name: "next_offset that does not advance",
			reply: func(offset int) string {
				return `{"accounts":[{"id":"a"}],"offset":0,"next_offset":0,"has_more":true}`
			},
			calls:   1,
			errText: "next_offset 0 not after offset 0",
		},
		{
			name: "an id on two pages is kept once",
			reply: func(offset int) string {
				if offset == 0 {
					return `{"accounts":[{"id":"a"},{"id":"b"}],"offset":0,"next_offset":2,"has_more":true}`
				}
				return `{"accounts":[{"id":"b"},{"id":"c"}],"offset":2,"next_offset":4,"has_more":false}`
			},
			calls: 2,
			want:  []string{"a", "b", "c"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				var body struct {
					Offset int `json:"offset"`
				}
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.reply(body.Offset)))
			}))
			defer ts.Close()
			c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL})
			require.NoError(t, err)
			got, err := c.AccountIDs(context.Background(), false)
			assert.Equal(t, tc.calls, int(calls.Load()))
			if tc.errText == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			assert.Nil(t, got)
			ve := vendorError(t, err)
			assert.Equal(t, outbound.KindUpstream, ve.Kind)
			assert.Equal(t, "get accounts", ve.Operation)
			assert.False(t, ve.Retryable)
			assert.Contains(t, ve.Message, tc.errText)
		})
	}
}

// TestAffectedMatchesTheMutation computes each dry run, checks that it sent
// only listings and changed nothing, then runs the real operation on the
// same state and checks that it touched exactly the ids the dry run named.
func TestAffectedMatchesTheMutation(t *testing.T) {
	const unknown = "ffffffffffffffffffffffff"
	mutations := map[string]bulkFunc{"archive": archive, "restore": restore, "delete": deleteA}
	tests := []struct {
		name string
		op   string
		sel  ortto.AccountSelection
		want []string
	}{
		{"archive explicit ids, in list order, skipping archived, unknown and duplicate ids", "archive",
			ortto.AccountSelection{InclusionIDs: []string{mainIDs[2], archIDs[0], unknown, mainIDs[0], mainIDs[2]}},
			[]string{mainIDs[0], mainIDs[2]}},
		{"archive explicit ids minus exclusions", "archive",
			ortto.AccountSelection{InclusionIDs: mainIDs[:2], ExclusionIDs: mainIDs[1:2]},
			mainIDs[:1]},
		{"archive all rows minus exclusions", "archive",
			ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: []string{mainIDs[1], archIDs[0], unknown}},
			[]string{mainIDs[0], mainIDs[2], mainIDs[3]}},
		{"archive all rows ignores inclusion ids", "archive",
			ortto.AccountSelection{AllRowsSelected: true, InclusionIDs: mainIDs[:1]},
			mainIDs},
		{"restore explicit ids: only archived ones", "restore",
			ortto.AccountSelection{InclusionIDs: []string{mainIDs[0], archIDs[1], unknown}},
			archIDs[1:]},
		{"restore all rows", "restore",
			ortto.AccountSelection{AllRowsSelected: true},
			archIDs},
		{"restore all rows, everything excluded", "restore",
			ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: archIDs},
			[]string{}},
		{"delete explicit main-list ids: nothing", "delete",
			ortto.AccountSelection{InclusionIDs: mainIDs},
			[]string{}},
		{"delete explicit ids", "delete",
			ortto.AccountSelection{InclusionIDs: []string{archIDs[1], archIDs[0]}},
			archIDs},
		{"delete all rows minus exclusions", "delete",
			ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: archIDs[:1]},
			archIDs[1:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ortto.Config{})
			before := accountStates(t, e)

			got, err := e.client.Affected(context.Background(), tc.op, tc.sel)
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tc.want, got)
			assertOnlyListed(t, e, 1)
			wantType := ""
			if tc.op != "archive" {
				wantType = `,"type":"archived"`
			}
			assert.JSONEq(t, `{"limit":500,"offset":0,"fields":["str:o:name"]`+wantType+`}`, e.sim.Recorder().Entries()[0].Body)
			assert.Equal(t, before, accountStates(t, e), "a dry run changes nothing")

			r, err := mutations[tc.op](e.client, context.Background(), tc.sel)
			require.NoError(t, err)
			assert.Equal(t, len(got), r.Scheduled+r.Archived+r.Restored+r.Deleted, "the mutation's count equals the dry run's")
			after := accountStates(t, e)
			var changed []string
			for id, st := range before {
				if after[id] != st {
					changed = append(changed, id)
				}
			}
			assert.ElementsMatch(t, got, changed, "the mutation touched exactly the ids the dry run named")
		})
	}
}

func TestAffectedAcrossPages(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	mainList, archList := mixedAccounts(t, e, 1200, 9)
	ctx := context.Background()

	got, err := e.client.Affected(ctx, "archive", ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: []string{mainList[3], mainList[1100], archList[0]}})
	require.NoError(t, err)
	want := append(append(append([]string{}, mainList[:3]...), mainList[4:1100]...), mainList[1101:]...)
	assert.Equal(t, want, got)
	assert.Len(t, got, 1198)
	assertOnlyListed(t, e, 3)

	e.sim.Recorder().Clear()
	got, err = e.client.Affected(ctx, "delete", ortto.AccountSelection{InclusionIDs: []string{mainList[700], archList[8], archList[2]}})
	require.NoError(t, err)
	assert.Equal(t, []string{archList[2], archList[8]}, got)
	assertOnlyListed(t, e, 1)
}

func TestAffectedRefusedWithoutCalling(t *testing.T) {
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("%024x", i)
	}
	e := newEnv(t, ortto.Config{})
	ctx := context.Background()

	_, err := e.client.Affected(ctx, "purge", ortto.AccountSelection{AllRowsSelected: true})
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindBadInput, ve.Kind)
	assert.Contains(t, ve.Message, `unknown operation "purge"`)

	for _, sel := range []ortto.AccountSelection{
		{},
		{ExclusionIDs: mainIDs},
		{AllRowsSelected: true, ExclusionIDs: tooMany},
		{AllRowsSelected: true, InclusionIDs: tooMany},
		{InclusionIDs: mainIDs, ExclusionIDs: tooMany},
	} {
		for op, call := range map[string]bulkFunc{"archive": archive, "restore": restore, "delete": deleteA} {
			_, err := e.client.Affected(ctx, op, sel)
			dry := vendorError(t, err)
			_, err = call(e.client, ctx, sel)
			live := vendorError(t, err)
			assert.Equal(t, outbound.KindBadInput, dry.Kind)
			assert.Equal(t, live.Error(), dry.Error(), "a dry run is refused exactly as the real call")
		}
	}
	assert.Zero(t, e.sim.Recorder().Count("ortto"), "no call reached the vendor")
}
