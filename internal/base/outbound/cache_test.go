package outbound_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/apptivo/apptivosim"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
)

// cacheObserver counts the cache's outcomes.
type cacheObserver struct {
	mu  sync.Mutex
	got map[string]int
}

func (o *cacheObserver) ObserveCall(string, string, string, time.Duration) {}
func (o *cacheObserver) ObserveAttempt(string, string)                     {}
func (o *cacheObserver) ObserveCache(_, _, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.got == nil {
		o.got = map[string]int{}
	}
	o.got[outcome]++
}
func (o *cacheObserver) count(outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.got[outcome]
}

func cordialOn(t *testing.T, sim *cordialsim.Server, chain *outbound.Chain, key string) *cordial.Client {
	t.Helper()
	c, err := cordial.New(cordial.Config{APIKey: key, BaseURL: sim.URL(), HTTPClient: chain.Client()})
	require.NoError(t, err)
	return c
}

func TestCacheServesRepeatedReadsAndNeverAcrossCredentials(t *testing.T) {
	ctx := context.Background()
	t.Run("cordial: Basic credentials", func(t *testing.T) {
		sim, err := cordialsim.New(cordialsim.Options{})
		require.NoError(t, err)
		t.Cleanup(sim.Close)
		obs := &cacheObserver{}
		chain := newChain(t, outbound.ChainOptions{Vendor: cordial.Name, Descriptor: cordial.Vendor, Observer: obs, Cache: outbound.CacheOptions{Store: memStore(t)}})
		good := cordialOn(t, sim, chain, cordialsim.APIKey)
		first, err := good.Lists(ctx, "")
		require.NoError(t, err)
		again, err := good.Lists(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, first, again)
		assert.Equal(t, 1, sim.Recorder().Count("cordial"), "the repeat is served from the cache")
		assert.Equal(t, 1, obs.count(outbound.CacheHit))

		// The same read with another key must reach Cordial, which refuses it.
		_, err = cordialOn(t, sim, chain, "someone-elses-key").Lists(ctx, "")
		var e *outbound.Error
		require.ErrorAs(t, err, &e, "another credential never gets the cached reply")
		assert.Equal(t, outbound.KindAuth, e.Kind)
		assert.Equal(t, 2, sim.Recorder().Count("cordial"))
	})
	t.Run("apptivo: keys in the query, failures with 200", func(t *testing.T) {
		sim, err := apptivosim.New(apptivosim.Options{})
		require.NoError(t, err)
		t.Cleanup(sim.Close)
		store := memStore(t)
		chain := newChain(t, outbound.ChainOptions{Vendor: apptivo.Name, Descriptor: apptivo.Vendor, Cache: outbound.CacheOptions{Store: store}})
		client := func(access string) *apptivo.Client {
			c, err := apptivo.New(apptivo.Config{APIKey: apptivosim.APIKey, AccessKey: access, BaseURL: sim.URL(), HTTPClient: chain.Client()})
			require.NoError(t, err)
			return c
		}
		_, err = client(apptivosim.AccessKey).GetConfigData(ctx)
		require.NoError(t, err)
		for range 2 {
			_, err = client("wrong-access-key").GetConfigData(ctx)
			require.Error(t, err, "another key pair never gets the cached reply")
		}
		assert.Equal(t, 3, sim.Recorder().Count("apptivo"), "a FAILURE in a 200 is not kept")
	})
}

func TestCacheInvalidatedByMutations(t *testing.T) {
	ctx := context.Background()
	sim, err := cordialsim.New(cordialsim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	obs := &cacheObserver{}
	chain := newChain(t, outbound.ChainOptions{Vendor: cordial.Name, Descriptor: cordial.Vendor, Observer: obs, Cache: outbound.CacheOptions{Store: memStore(t)}})
	c := cordialOn(t, sim, chain, cordialsim.APIKey)
	before, err := c.Lists(ctx, "")
	require.NoError(t, err)
	_, err = c.CreateList(ctx, "cache_invalidation", false)
	require.NoError(t, err)
	after, err := c.Lists(ctx, "")
	require.NoError(t, err)
	assert.Len(t, after, len(before)+1, "the read after the mutation sees it")
	assert.Equal(t, 1, obs.count(outbound.CacheInvalidate))

	_, err = c.Lists(ctx, "")
	require.NoError(t, err)
	require.NoError(t, chain.InvalidateCache(ctx))
	_, err = c.Lists(ctx, "")
	require.NoError(t, err)
	lists := 0
	for _, en := range sim.Recorder().Entries() {
		if en.Method == http.MethodGet {
			lists++
		}
	}
	assert.Equal(t, 3, lists, "one list per generation: before, after the mutation, after InvalidateCache")
}

func TestCacheServesStaleWhenTheVendorFails(t *testing.T) {
	ctx := context.Background()
	sim, err := cordialsim.New(cordialsim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	store := memStore(t)
	// A TTL of a nanosecond: every read asks Cordial, and every kept reply
	// is already expired, so what comes back on a failure is stale.
	chain := newChain(t, outbound.ChainOptions{Vendor: cordial.Name, Descriptor: cordial.Vendor, Cache: outbound.CacheOptions{Store: store, TTL: time.Nanosecond, MaxStale: time.Hour}})
	c := cordialOn(t, sim, chain, cordialsim.APIKey)
	want, err := c.Lists(ctx, "")
	require.NoError(t, err)

	for name, f := range map[string]simkit.Fault{
		"503":              {Status: http.StatusServiceUnavailable},
		"connection reset": {Reset: true},
		"malformed 200":    {Malformed: true},
	} {
		t.Run(name, func(t *testing.T) {
			f.Vendor = "cordial"
			sim.Faults().Set(f)
			defer sim.Faults().Clear()
			var served []outbound.StaleServe
			got, err := c.Lists(outbound.WithHooks(ctx, outbound.Hooks{Stale: func(s outbound.StaleServe) { served = append(served, s) }}), "")
			if f.Malformed {
				// A 200 the vendor sent is its answer: nothing stands in for it.
				require.Error(t, err)
				assert.Empty(t, served)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
			require.Len(t, served, 1)
			assert.Equal(t, "cordial", served[0].Vendor)
			assert.Equal(t, "list lists", served[0].Operation)
		})
	}

	t.Run("not past the maximum stale age", func(t *testing.T) {
		strict := newChain(t, outbound.ChainOptions{Vendor: cordial.Name, Descriptor: cordial.Vendor, Cache: outbound.CacheOptions{Store: store, TTL: time.Nanosecond, MaxStale: -1}})
		c := cordialOn(t, sim, strict, cordialsim.APIKey)
		_, err := c.Lists(ctx, "")
		require.NoError(t, err)
		sim.Faults().Set(simkit.Fault{Vendor: "cordial", Status: http.StatusServiceUnavailable})
		defer sim.Faults().Clear()
		_, err = c.Lists(ctx, "")
		require.Error(t, err)
		assert.True(t, strings.Contains(err.Error(), "unavailable") || strings.Contains(err.Error(), "503"), err.Error())
	})
}

func memStore(t *testing.T) *outbound.MemoryCacheStore {
	s := outbound.NewMemoryCacheStore(0)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// A reply the vendor's descriptor calls Uncacheable (AppDirect: a GraphQL
// reply with errors, sent with 200) is passed on but never kept.
func TestCacheKeepsNoUncacheableReply(t *testing.T) {
	for name, tc := range map[string]struct {
		body  string
		calls int
	}{
		"graphql errors": {`{"data":null,"errors":[{"message":"internal"}]}`, 2},
		"graphql data":   {`{"data":{"account":null}}`, 1},
	} {
		t.Run(name, func(t *testing.T) {
			v := newVendor(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write([]byte(tc.body)) })
			chain := newChain(t, outbound.ChainOptions{Vendor: appdirect.Name, Descriptor: appdirect.Vendor, Cache: outbound.CacheOptions{Store: memStore(t)}})
			for range 2 {
				assert.Nil(t, call(t, context.Background(), chain, http.MethodGet, v.URL, ""))
			}
			assert.Equal(t, tc.calls, v.count())
		})
	}
}

// flakyInvalidation is a memory store whose invalidation fails while
// down is set, as Redis's does while it is unreachable.
type flakyInvalidation struct {
	*outbound.MemoryCacheStore
	down atomic.Bool
}

func (f *flakyInvalidation) Invalidate(ctx context.Context, vendor string) error {
	if f.down.Load() {
		return errors.New("redis: i/o timeout")
	}
	return f.MemoryCacheStore.Invalidate(ctx, vendor)
}

// A mutation whose invalidation the store refuses still returns what the
// vendor said (it happened); until the invalidation goes through, the
// replica reads past the cache, so it never serves an entry from before
// its own write, and says so (CacheDegraded, the invalidate_failed
// outcome).
func TestRefusedInvalidationReadsPastTheCacheUntilPublished(t *testing.T) {
	v := newHeldVendor(t, "old")
	v.Release() // nothing is held in this test
	store := &flakyInvalidation{MemoryCacheStore: memStore(t)}
	obs := &cacheObserver{}
	chain := newChain(t, outbound.ChainOptions{Vendor: "held", Observer: obs, Cache: outbound.CacheOptions{Store: store, TTL: time.Hour}})
	c := chain.Client()

	require.JSONEq(t, `{"value":"old"}`, get(t, c, v.URL))
	require.JSONEq(t, `{"value":"old"}`, get(t, c, v.URL))
	require.Equal(t, 1, v.getCount(), "cached")

	store.down.Store(true)
	put(t, c, v.URL, "new")
	assert.True(t, chain.CacheDegraded())
	assert.Equal(t, 1, obs.count(outbound.CacheInvalidateFailed))
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, v.URL), "the old entry is not served after the write")
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, v.URL))
	assert.Equal(t, 3, v.getCount(), "every read goes to the vendor meanwhile")

	store.down.Store(false)
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, v.URL))
	assert.False(t, chain.CacheDegraded(), "the owed invalidation went through")
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, v.URL))
	assert.Equal(t, 4, v.getCount(), "and the cache serves again")
}
