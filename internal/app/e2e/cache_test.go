package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// staleExt is extensions.stale of a response.
func staleExt(t *testing.T, raw string) []map[string]any {
	t.Helper()
	var body struct {
		Extensions struct {
			Stale []map[string]any `json:"stale"`
		} `json:"extensions"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &body), raw)
	return body.Extensions.Stale
}

func TestCacheAnswersRepeatedReadsUntilAMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, gatewaytest.WithCache(0))
	q := `{ accountLists { id name } }`
	first := e.Query(q, nil)
	require.Empty(t, first.Errors, first.Raw)
	again := e.Query(q, nil)
	require.Empty(t, again.Errors, again.Raw)
	assert.JSONEq(t, string(first.Data), string(again.Data))
	assert.Len(t, e.APICalls("cordial"), 1, "the repeat costs no Cordial call")
	assert.Empty(t, staleExt(t, again.Raw), "fresh data is not marked")

	for name, m := range map[string]string{
		"rename": `mutation { updateAccountList(id: "1", input: {name: "renamed_by_cache_test"}) { id } }`,
		"delete": `mutation { deleteAccountList(id: "2") { success } }`,
	} {
		t.Run(name, func(t *testing.T) {
			before := e.Query(q, nil)
			r := e.Query(m, nil)
			require.Empty(t, r.Errors, r.Raw)
			after := e.Query(q, nil)
			require.Empty(t, after.Errors, after.Raw)
			assert.NotEqual(t, string(before.Data), string(after.Data), "the list read after the mutation shows it")
		})
	}
}

func TestCacheServesStaleDataWhenAVendorFails(t *testing.T) {
	t.Parallel()
	// Every entry is expired at once, so each query asks AppDirect, and
	// what comes back while it fails is stale.
	e := newEnv(t, gatewaytest.WithCache(time.Nanosecond))
	q := `{ accounts(first: 5) { totalCount nodes { id name } } accountLists { id } }`
	fresh := e.Query(q, nil)
	require.Empty(t, fresh.Errors, fresh.Raw)

	e.Sandbox.Faults.Set(simkit.Fault{Vendor: "appdirect", Status: http.StatusServiceUnavailable})
	defer e.Sandbox.Faults.Clear()
	stale := e.Query(q, nil)
	require.Empty(t, stale.Errors, "a cached value stands in for the failing vendor: %s", stale.Raw)
	var want, got struct{ Accounts json.RawMessage }
	fresh.Into(t, &want)
	stale.Into(t, &got)
	assert.JSONEq(t, string(want.Accounts), string(got.Accounts), "full data")
	marks := staleExt(t, stale.Raw)
	require.Len(t, marks, 1, stale.Raw)
	assert.Equal(t, []any{"accounts"}, marks[0]["path"])
	assert.Equal(t, "appdirect", marks[0]["vendor"])
	assert.Contains(t, marks[0], "ageSeconds")

	t.Run("without the cache the field is null", func(t *testing.T) {
		off := newEnv(t)
		off.Sandbox.Faults.Set(simkit.Fault{Vendor: "appdirect", Status: http.StatusServiceUnavailable})
		r := off.Query(q, nil)
		assert.Equal(t, []string{"VENDOR_UNAVAILABLE"}, r.Codes(), r.Raw)
		assert.Empty(t, staleExt(t, r.Raw))
	})
}

func TestInvalidateCacheMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, gatewaytest.WithCache(0))
	q := `{ accountLists { id name } }`
	e.Query(q, nil)
	e.Query(q, nil)
	require.Len(t, e.APICalls("cordial"), 1)

	r := e.Query(`mutation { invalidateCache(vendor: CORDIAL, type: "AccountList", id: "1") { vendor invalidated } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"invalidateCache":{"vendor":"cordial","invalidated":true}}`, string(r.Data))
	e.Query(q, nil)
	assert.Len(t, e.APICalls("cordial"), 2, "the read after invalidateCache asks Cordial")

	// The vendor is an enum: a name the registry does not have fails
	// validation, before anything runs.
	bad := e.Query(`mutation { invalidateCache(vendor: NOSUCH) { vendor } }`, nil)
	assert.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, bad.Codes(), bad.Raw)
	bad = e.Query(`mutation { invalidateCache(vendor: "cordial") { vendor } }`, nil)
	assert.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, bad.Codes(), "a string is not an enum value: %s", bad.Raw)

	off := newEnv(t)
	r = off.Query(`mutation { invalidateCache(vendor: CORDIAL) { invalidated } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.JSONEq(t, `{"invalidateCache":{"invalidated":false}}`, string(r.Data), "nothing to drop with the cache off")
}

func TestCacheSharedByReplicasThroughRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	replica := func() *env {
		return &env{gatewaytest.StartOn(t, sb, gatewaytest.WithCache(0), func(s *gatewaytest.Setup) {
			stores, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: rs.URL}, s.Options.Logger)
			require.NoError(t, err)
			t.Cleanup(func() { _ = stores.Close() })
			s.Options.APQCache, s.Options.Idempotency, s.Options.CacheStore = stores.APQ, stores.Idempotency, stores.Cache
		})}
	}
	a, b := replica(), replica()
	q := `{ accountList(id: "1") { id name } }`
	first := a.Query(q, nil)
	require.Empty(t, first.Errors, first.Raw)
	onB := b.Query(q, nil)
	assert.JSONEq(t, string(first.Data), string(onB.Data))
	assert.Len(t, gatewaytest.APICalls(sb, "cordial"), 1, "B is served what A fetched")

	r := b.Query(`mutation { updateAccountList(id: "1", input: {name: "renamed_on_b"}) { name } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	after := a.Query(q, nil)
	require.Empty(t, after.Errors, after.Raw)
	assert.JSONEq(t, `{"accountList":{"id":"1","name":"renamed_on_b"}}`, string(after.Data), "A sees B's mutation at once")
}

// /metrics counts the cache's hits, misses, stale serves and
// invalidations by vendor and operation.
func TestCacheMetrics(t *testing.T) {
	t.Parallel()
	scrape := func(e *env) string {
		resp, err := http.Get(e.Server.URL + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(raw)
	}
	q := `{ accountLists { id } }`
	opt, _ := withTelemetry(t)
	e := newEnv(t, opt, gatewaytest.WithCache(0))
	e.Query(q, nil)
	e.Query(q, nil)
	e.Query(q, nil)
	require.Empty(t, e.Query(`mutation { invalidateCache(vendor: CORDIAL) { invalidated } }`, nil).Errors)
	require.Empty(t, e.Query(`mutation { clearAccountList(id: "1") { success } }`, nil).Errors)
	raw := scrape(e)
	for _, want := range []string{
		`switchyard_vendor_cache_total{operation="list lists",outcome="miss",vendor="cordial"} 1`,
		`switchyard_vendor_cache_total{operation="list lists",outcome="hit",vendor="cordial"} 2`,
		`switchyard_vendor_cache_total{operation="invalidateCache",outcome="invalidate",vendor="cordial"} 1`,
		`switchyard_vendor_cache_total{operation="clear list",outcome="invalidate",vendor="cordial"} 1`,
	} {
		assert.Contains(t, raw, want)
	}

	opt, _ = withTelemetry(t)
	stale := newEnv(t, opt, gatewaytest.WithCache(time.Nanosecond))
	stale.Query(q, nil)
	stale.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", Status: http.StatusBadGateway})
	stale.Query(q, nil)
	assert.Contains(t, scrape(stale), `switchyard_vendor_cache_total{operation="list lists",outcome="stale",vendor="cordial"} 1`)
}
