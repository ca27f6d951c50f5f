package ortto_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

type bulkFunc func(*ortto.Client, context.Context, ortto.AccountSelection) (*ortto.BulkResult, error)

var (
	archive bulkFunc = (*ortto.Client).ArchiveAccounts
	restore bulkFunc = (*ortto.Client).RestoreAccounts
	deleteA bulkFunc = (*ortto.Client).DeleteAccounts
)

// accountStates maps account id to "main" or "archived"; deleted accounts
// are absent.
func accountStates(t *testing.T, e *env) map[string]string {
	t.Helper()
	b, err := e.sim.State()
	require.NoError(t, err)
	var doc struct {
		Accounts []struct {
			ID       string `json:"id"`
			Archived bool   `json:"archived"`
		} `json:"accounts"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	out := map[string]string{}
	for _, a := range doc.Accounts {
		out[a.ID] = map[bool]string{false: "main", true: "archived"}[a.Archived]
	}
	return out
}

// manyAccounts replaces the simulator's accounts with n main-list accounts
// and returns their ids.
func manyAccounts(t *testing.T, e *env, n int) []string {
	t.Helper()
	ids := make([]string, n)
	accounts := make([]map[string]any, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("1069%020x", i)
		accounts[i] = map[string]any{"id": ids[i], "fields": map[string]any{"str:o:name": fmt.Sprintf("Account %d", i)}}
	}
	doc, err := json.Marshal(map[string]any{"people": []any{}, "accounts": accounts})
	require.NoError(t, err)
	require.NoError(t, e.sim.SetState(doc))
	return ids
}

func TestBulkWireShapeAndRules(t *testing.T) {
	tests := []struct {
		name   string
		call   bulkFunc
		method string
		path   string
		ids    []string
		want   ortto.BulkResult
		state  string // expected state of ids afterwards ("" = deleted)
	}{
		{"archive", archive, http.MethodPut, "/v1/accounts/archive", mainIDs[:2], ortto.BulkResult{Archived: 2}, "archived"},
		{"restore", restore, http.MethodPut, "/v1/accounts/restore", archIDs, ortto.BulkResult{Restored: 2}, "main"},
		{"delete", deleteA, http.MethodDelete, "/v1/accounts/delete", archIDs, ortto.BulkResult{Deleted: 2}, ""},
		{"restore skips main-list accounts", restore, http.MethodPut, "/v1/accounts/restore", mainIDs[:2], ortto.BulkResult{}, "main"},
		{"delete skips main-list accounts", deleteA, http.MethodDelete, "/v1/accounts/delete", mainIDs[:2], ortto.BulkResult{}, "main"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ortto.Config{})
			got, err := tc.call(e.client, context.Background(), ortto.AccountSelection{InclusionIDs: tc.ids})
			require.NoError(t, err)
			assert.Equal(t, tc.want, *got)

			entries := e.sim.Recorder().Entries()
			require.Len(t, entries, 1)
			assert.Equal(t, tc.method, entries[0].Method)
			assert.Equal(t, tc.path, entries[0].Path, "resolved relative to the /prefix base")
			assert.Empty(t, entries[0].Query)
			assert.JSONEq(t, `{"inclusion_ids":`+mustJSON(tc.ids)+`}`, entries[0].Body)
			assert.Equal(t, 200, entries[0].Status)

			states := accountStates(t, e)
			for _, id := range tc.ids {
				st, ok := states[id]
				if tc.state == "" {
					assert.False(t, ok, "%s deleted", id)
				} else {
					assert.Equal(t, tc.state, st, id)
				}
			}
		})
	}
}

func TestArchiveThenRestoreAndDelete(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	ctx := context.Background()
	sel := ortto.AccountSelection{InclusionIDs: mainIDs[:1]}
	r, err := e.client.ArchiveAccounts(ctx, sel)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Archived)
	r, err = e.client.RestoreAccounts(ctx, sel)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Restored)
	_, err = e.client.ArchiveAccounts(ctx, sel)
	require.NoError(t, err)
	r, err = e.client.DeleteAccounts(ctx, sel)
	require.NoError(t, err)
	assert.Equal(t, ortto.BulkResult{Deleted: 1}, *r)
	assert.NotContains(t, accountStates(t, e), mainIDs[0])
}

func TestAllRowsSelectedIsOneCall(t *testing.T) {
	e := newEnv(t, ortto.Config{BatchSize: 2})
	got, err := e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: mainIDs[:1]})
	require.NoError(t, err)
	assert.Equal(t, ortto.BulkResult{Scheduled: 3}, *got)
	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 1)
	assert.JSONEq(t, `{"exclusion_ids":["`+mainIDs[0]+`"],"all_rows_selected":true}`, entries[0].Body)

	got, err = e.client.DeleteAccounts(context.Background(), ortto.AccountSelection{AllRowsSelected: true})
	require.NoError(t, err)
	assert.Equal(t, ortto.BulkResult{Scheduled: 5}, *got, "the three just archived plus the two demo archived accounts")
	assert.Equal(t, map[string]string{mainIDs[0]: "main"}, accountStates(t, e))
}

// TestBulkDecodesBothKeyFamilies serves each reply shape Ortto is known to
// send (live *_organizations, documented *_accounts) to every operation.
func TestBulkDecodesBothKeyFamilies(t *testing.T) {
	tests := []struct {
		name string
		body string
		want ortto.BulkResult
	}{
		{"live archive", `{"scheduled_organizations":0,"archived_organizations":1}`, ortto.BulkResult{Archived: 1}},
		{"live restore", `{"scheduled_organizations":2,"restored_organizations":3}`, ortto.BulkResult{Scheduled: 2, Restored: 3}},
		{"live delete", `{"scheduled_accounts":0,"deleted_accounts":1}`, ortto.BulkResult{Deleted: 1}},
		{"documented archive", `{"scheduled_accounts":0,"archived_accounts":5}`, ortto.BulkResult{Archived: 5}},
		{"documented restore", `{"scheduled_accounts":4,"restored_accounts":6}`, ortto.BulkResult{Scheduled: 4, Restored: 6}},
		{"organizations delete", `{"scheduled_organizations":7,"deleted_organizations":8}`, ortto.BulkResult{Scheduled: 7, Deleted: 8}},
		{"both names: accounts wins", `{"archived_accounts":2,"archived_organizations":2}`, ortto.BulkResult{Archived: 2}},
		{"unknown keys ignored", `{"scheduled_accounts":1,"archived_accounts":1,"extra":"x"}`, ortto.BulkResult{Scheduled: 1, Archived: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body + "\n"))
			}))
			defer ts.Close()
			c, err := ortto.New(ortto.Config{APIKey: secretKey, BaseURL: ts.URL})
			require.NoError(t, err)
			for _, call := range []bulkFunc{archive, restore, deleteA} {
				got, err := call(c, context.Background(), ortto.AccountSelection{InclusionIDs: []string{"a"}})
				require.NoError(t, err)
				assert.Equal(t, tc.want, *got)
			}
		})
	}
}

func TestBulkChunking(t *testing.T) {
	e := newEnv(t, ortto.Config{})
	ids := manyAccounts(t, e, 250)
	got, err := e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: ids})
	require.NoError(t, err)
	assert.Equal(t, ortto.BulkResult{Archived: 250}, *got, "counts summed over the calls")

	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 3)
	for i, want := range [][]string{ids[:100], ids[100:200], ids[200:]} {
		assert.Equal(t, "/v1/accounts/archive", entries[i].Path)
		assert.JSONEq(t, `{"inclusion_ids":`+mustJSON(want)+`}`, entries[i].Body, "chunk %d in order", i)
	}
	for _, st := range accountStates(t, e) {
		assert.Equal(t, "archived", st)
	}

	// A smaller configured batch, with exclusions carried on every chunk.
	e2 := newEnv(t, ortto.Config{BatchSize: 4})
	got, err = e2.client.RestoreAccounts(context.Background(), ortto.AccountSelection{
		InclusionIDs: append(append([]string{}, mainIDs...), archIDs...),
		ExclusionIDs: archIDs[1:],
	})
	require.NoError(t, err)
	assert.Equal(t, ortto.BulkResult{Restored: 1}, *got)
	entries = e2.sim.Recorder().Entries()
	require.Len(t, entries, 2)
	assert.JSONEq(t, `{"inclusion_ids":`+mustJSON(mainIDs)+`,"exclusion_ids":`+mustJSON(archIDs[1:])+`}`, entries[0].Body)
	assert.JSONEq(t, `{"inclusion_ids":`+mustJSON(archIDs)+`,"exclusion_ids":`+mustJSON(archIDs[1:])+`}`, entries[1].Body)
}

// TestBulkChunkFailure fails the second of three calls and checks that the
// error names every id not done and that nothing is retried or continued.
func TestBulkChunkFailure(t *testing.T) {
	sim, err := orttosim.New(orttosim.Options{NoListener: true, APIKey: secretKey})
	require.NoError(t, err)
	h := http.StripPrefix("/prefix", sim.Handler())
	var n atomic.Int32
	e := newEnvWith(t, sim, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 {
			sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: 503, RetryAfterSeconds: 1})
			defer sim.Faults().Clear()
		}
		h.ServeHTTP(w, r)
	}), ortto.Config{})
	ids := manyAccounts(t, e, 250)

	got, err := e.client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: ids})
	assert.Nil(t, got)
	ve := vendorError(t, err)
	assert.Equal(t, outbound.KindUnavailable, ve.Kind)
	assert.Equal(t, 503, ve.HTTPStatus)
	assert.Equal(t, ids[100:], ve.IDs, "the failed chunk's ids and the never-attempted chunk's")
	assert.Contains(t, ve.Message, "1 of 3 chunks succeeded")
	assert.Contains(t, ve.Message, "simulated fault")

	entries := e.sim.Recorder().Entries()
	require.Len(t, entries, 2, "no retry of the failed chunk, no call for the last")
	assert.Equal(t, 503, entries[1].Status)
	states := accountStates(t, e)
	for i, id := range ids {
		want := "main"
		if i < 100 {
			want = "archived"
		}
		assert.Equal(t, want, states[id], id)
	}
}

func TestBulkRefusedWithoutCalling(t *testing.T) {
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("%024x", i)
	}
	tests := []struct {
		name string
		sel  ortto.AccountSelection
		text string
	}{
		{"empty selection", ortto.AccountSelection{}, "inclusion_ids or all_rows_selected"},
		{"only exclusions", ortto.AccountSelection{ExclusionIDs: mainIDs}, "inclusion_ids or all_rows_selected"},
		{"all rows with 101 exclusions", ortto.AccountSelection{AllRowsSelected: true, ExclusionIDs: tooMany}, "exclusion_ids"},
		{"all rows with 101 inclusions", ortto.AccountSelection{AllRowsSelected: true, InclusionIDs: tooMany}, "inclusion_ids"},
		{"ids with 101 exclusions", ortto.AccountSelection{InclusionIDs: mainIDs, ExclusionIDs: tooMany}, "exclusion_ids"},
	}
	e := newEnv(t, ortto.Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []bulkFunc{archive, restore, deleteA} {
				_, err := call(e.client, context.Background(), tc.sel)
				ve := vendorError(t, err)
				assert.Equal(t, outbound.KindBadInput, ve.Kind)
				assert.Contains(t, ve.Message, tc.text)
			}
		})
	}
	assert.Zero(t, e.sim.Recorder().Count("ortto"), "no call reached the vendor")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
