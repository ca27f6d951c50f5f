package outbound_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// heldVendor is a vendor with one record: GET reads it, PUT replaces it.
// The reply to the first GET is held after the record was read, until the
// test releases it (what a slow vendor does to a read that began before a
// write), so that the test controls which read is in flight across the
// write.
type heldVendor struct {
	*httptest.Server
	mu      sync.Mutex
	value   string
	gets    int
	reading chan struct{} // closed once the first GET has read the record
	release chan struct{} // closing it lets the first GET's reply go
	once    sync.Once
}

func newHeldVendor(t *testing.T, value string) *heldVendor {
	v := &heldVendor{value: value, reading: make(chan struct{}), release: make(chan struct{})}
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			v.mu.Lock()
			v.value = string(b)
			v.mu.Unlock()
			_, _ = io.WriteString(w, `{"ok":true}`)
		case http.MethodGet:
			v.mu.Lock()
			v.gets++
			n, value := v.gets, v.value
			v.mu.Unlock()
			if n == 1 {
				close(v.reading)
				select {
				case <-v.release:
				case <-time.After(3 * time.Second):
					// Whoever waits on this read (a read wrongly joined
					// to it) fails its test rather than hangs.
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"value":"`+value+`"}`)
		}
	}))
	t.Cleanup(v.Close)
	return v
}

// Release lets the first GET's reply go.
func (v *heldVendor) Release() { v.once.Do(func() { close(v.release) }) }

func (v *heldVendor) getCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.gets
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func put(t *testing.T, c *http.Client, url, value string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(value))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// failingInvalidation is a memory store whose invalidation fails, as
// Redis's does while it is down: the generation does not move.
type failingInvalidation struct{ *outbound.MemoryCacheStore }

func (failingInvalidation) Invalidate(context.Context, string) error {
	return errors.New("redis: connection refused")
}

// A read that starts after a write came back is never answered by a call
// that began before the write: not by joining it in flight (dedup), not
// from a cache it filled. On adb9586 the second read joined the held one
// and got, and cached, the old record.
func TestReadAfterWriteNeverJoinsAnOlderCall(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) outbound.CacheStore
	}{
		{"no cache", nil},
		{"memory cache", func(t *testing.T) outbound.CacheStore { return memStore(t) }},
		{"cache whose invalidation fails", func(t *testing.T) outbound.CacheStore { return failingInvalidation{memStore(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newHeldVendor(t, "old")
			opts := outbound.ChainOptions{Vendor: "held", Cache: outbound.CacheOptions{TTL: time.Hour}}
			if tc.store != nil {
				opts.Cache.Store = tc.store(t)
			}
			c := newChain(t, opts).Client()

			first := make(chan string, 1)
			go func() { first <- get(t, c, v.URL) }()
			<-v.reading // the first read has read "old" and is in flight

			put(t, c, v.URL, "new")
			second := get(t, c, v.URL)
			assert.JSONEq(t, `{"value":"new"}`, second, "a read begun after the write came back sees it")
			v.Release()
			assert.JSONEq(t, `{"value":"old"}`, <-first, "the read in flight across the write may see either")
			assert.Equal(t, 2, v.getCount(), "the second read went to the vendor")

			third := get(t, c, v.URL)
			assert.JSONEq(t, `{"value":"new"}`, third, "the held reply was not kept for later readers")
		})
	}
}

// A fresh read (the read of a read-modify-write) neither joins a call in
// flight nor takes a cached reply.
func TestFreshReadGoesToTheVendor(t *testing.T) {
	v := newHeldVendor(t, "old")
	c := newChain(t, outbound.ChainOptions{Vendor: "held", Cache: outbound.CacheOptions{Store: memStore(t), TTL: time.Hour}}).Client()
	first := make(chan string, 1)
	go func() { first <- get(t, c, v.URL) }()
	<-v.reading
	// Changed at the vendor by someone else, not through this chain.
	v.mu.Lock()
	v.value = "changed"
	v.mu.Unlock()

	req, err := http.NewRequestWithContext(outbound.FreshRead(context.Background()), http.MethodGet, v.URL, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.JSONEq(t, `{"value":"changed"}`, string(b))
	v.Release()
	<-first
	// The plain read is now cached (it finished after the fresh one began,
	// but no write went through this chain); the fresh read ignores it.
	req, err = http.NewRequestWithContext(outbound.FreshRead(context.Background()), http.MethodGet, v.URL, nil)
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 3, v.getCount())
}

// While a write is in flight the vendor may apply it at any moment, so a
// read then neither takes a cached reply nor leaves one: once a read has
// seen the new record, no later read is served the old. The history
// checker found this: the cache served an entry from before a write the
// vendor had already applied, because only the write's end moved the
// epoch.
func TestReadsDuringAWriteSeeTheVendor(t *testing.T) {
	var mu sync.Mutex
	value := "old"
	applied, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			value = string(b)
			mu.Unlock()
			close(applied)
			<-release // the reply is slow; the record has changed already
			_, _ = io.WriteString(w, `{}`)
			return
		}
		mu.Lock()
		v := value
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"value":"`+v+`"}`)
	}))
	t.Cleanup(srv.Close)
	c := newChain(t, outbound.ChainOptions{Vendor: "held", Cache: outbound.CacheOptions{Store: memStore(t), TTL: time.Hour}}).Client()
	require.JSONEq(t, `{"value":"old"}`, get(t, c, srv.URL)) // cached

	done := make(chan struct{})
	go func() { defer close(done); put(t, c, srv.URL, "new") }()
	<-applied
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, srv.URL), "the vendor has the new record: the cached old one is not served")
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, srv.URL))
	close(release)
	<-done
	assert.JSONEq(t, `{"value":"new"}`, get(t, c, srv.URL))
}
