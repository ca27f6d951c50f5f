package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
	"github.com/switchyard/switchyard/vendors/cordial"
)

// slowFirstRead stands between the gateways and the sandbox's Cordial: the
// reply to the first GET of list 1 is held after Cordial answered it, the
// way a slow vendor holds a read that began before a write, until the
// test releases it (or 3 s pass, so that a read wrongly joined to it
// fails its test instead of hanging).
type slowFirstRead struct {
	URL     string
	reading chan struct{} // closed once Cordial has answered the held read
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	held    bool
}

func newSlowFirstRead(t *testing.T, sb *sandbox.Sandbox) *slowFirstRead {
	target, err := url.Parse(sb.URL())
	require.NoError(t, err)
	s := &slowFirstRead{reading: make(chan struct{}), release: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		if r.Method != http.MethodGet || r.URL.Path != "/cordial/v2/accountlists/1" {
			return nil
		}
		s.mu.Lock()
		first := !s.held
		s.held = true
		s.mu.Unlock()
		if first {
			close(s.reading)
			select {
			case <-s.release:
			case <-time.After(3 * time.Second):
			}
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *slowFirstRead) Release() { s.once.Do(func() { close(s.release) }) }

// through sends the gateway's Cordial calls through the proxy.
func (s *slowFirstRead) through() gatewaytest.Option {
	return func(st *gatewaytest.Setup) {
		st.Config.VendorConfig[cordial.Name].(*cordial.Config).BaseURL = s.URL + "/cordial"
	}
}

const readList = `{ accountList(id: "1") { name enhanced } }`

// cacheModes run a test with the read cache off and on.
var cacheModes = []struct {
	name string
	opts []gatewaytest.Option
}{
	{"cache off", nil},
	{"cache on", []gatewaytest.Option{gatewaytest.WithCache(time.Hour)}},
}

// slowSandbox is a fresh sandbox whose Cordial holds its first read of
// list 1 (slowFirstRead).
func slowSandbox(t *testing.T) (*sandbox.Sandbox, *slowFirstRead) {
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb, newSlowFirstRead(t, sb)
}

// A read that starts after a write came back sees it, and an update that
// changes only the name never writes back a flag it read from before
// another client's change. On adb9586 the read joined the held call (the
// old record, then cached under the new generation), and the rename read
// enhanced from it and sent it back: the other client's change was lost
// at Cordial. Cache on and off alike.
func TestNoLostUpdateAcrossAReadInFlight(t *testing.T) {
	t.Parallel()
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			sb, slow := slowSandbox(t)
			e := &env{gatewaytest.StartOn(t, sb, append(mode.opts, slow.through())...)}

			held := make(chan *gatewaytest.Response, 1)
			go func() { held <- e.Query(readList, nil) }()
			<-slow.reading // Cordial has answered enhanced: true; the reply is in flight

			r := e.Query(`mutation { updateAccountList(id: "1", input: {name: "vip-customers", enhanced: false}) { enhanced } }`, nil)
			require.Empty(t, r.Errors, r.Raw)

			r = e.Query(readList, nil)
			require.Empty(t, r.Errors, r.Raw)
			assert.JSONEq(t, `{"accountList":{"name":"vip-customers","enhanced":false}}`, string(r.Data), "a read after the write sees it")

			r = e.Query(`mutation { updateAccountList(id: "1", input: {name: "renamed"}) { name enhanced } }`, nil)
			require.Empty(t, r.Errors, r.Raw)
			assert.JSONEq(t, `{"updateAccountList":{"name":"renamed","enhanced":false}}`, string(r.Data))
			slow.Release()
			require.Empty(t, (<-held).Errors)

			r = e.Query(readList, nil)
			require.Empty(t, r.Errors, r.Raw)
			assert.JSONEq(t, `{"accountList":{"name":"renamed","enhanced":false}}`, string(r.Data), "the rename kept the other client's change")
			puts := 0
			for _, c := range e.APICalls("cordial") {
				if c.Method == http.MethodPut {
					puts++
					if c.Body == `{"id":1,"name":"renamed"}` {
						continue
					}
					assert.Equal(t, `{"id":1,"name":"vip-customers","enhanced":false}`, c.Body)
				}
			}
			assert.Equal(t, 2, puts)
		})
	}
}

// Write through replica A, read through replica B at once while B has an
// identical read in flight from before the write: B's read must not join
// it. On adb9586 B's reader got the old record (and, with the cache on,
// stored it under the new generation). Both replicas on one Redis; with
// the cache off, the write generation alone fences.
func TestReadOnAnotherReplicaAfterAWrite(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			sb, slow := slowSandbox(t)
			prefix := "rw-" + mode.name + ":"
			replica := func() *env {
				opts := []gatewaytest.Option{slow.through(), func(s *gatewaytest.Setup) {
					stores, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: rs.URL, Prefix: prefix}, s.Options.Logger)
					require.NoError(t, err)
					t.Cleanup(func() { _ = stores.Close() })
					s.Options.APQCache, s.Options.Idempotency, s.Options.CacheStore, s.Options.Generations = stores.APQ, stores.Idempotency, stores.Cache, stores.Generations
				}}
				return &env{gatewaytest.StartOn(t, sb, append(mode.opts, opts...)...)}
			}
			a, b := replica(), replica()

			held := make(chan *gatewaytest.Response, 1)
			go func() { held <- b.Query(readList, nil) }()
			<-slow.reading

			r := a.Query(`mutation { updateAccountList(id: "1", input: {name: "renamed_on_a", enhanced: false}) { name } }`, nil)
			require.Empty(t, r.Errors, r.Raw)
			r = b.Query(readList, nil)
			require.Empty(t, r.Errors, r.Raw)
			assert.JSONEq(t, `{"accountList":{"name":"renamed_on_a","enhanced":false}}`, string(r.Data), "B's read after A's write sees it")
			slow.Release()
			require.Empty(t, (<-held).Errors)
			r = b.Query(readList, nil)
			assert.JSONEq(t, `{"accountList":{"name":"renamed_on_a","enhanced":false}}`, string(r.Data), "and so does every later read")
		})
	}
}

// While replica A's write is in flight (Cordial has applied it, its reply
// is slow), a read on replica B goes to Cordial: once one read has seen
// the new record, no later read is served the old from the shared cache
// or from a call in flight. The history checker found reads served the
// old record after another had seen the new.
func TestReadOnAnotherReplicaDuringAWrite(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	target, err := url.Parse(sb.URL())
	require.NoError(t, err)
	applied, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPut {
			once.Do(func() { close(applied) })
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	via := func(s *gatewaytest.Setup) {
		require.NoError(t, s.Config.Apply(map[string]string{"CORDIAL_BASE_URL": srv.URL + "/cordial"}))
	}
	a := &env{gatewaytest.StartOn(t, sb, gatewaytest.WithCache(time.Hour), gatewaytest.WithRedis(t, rs.URL, "during:"), via)}
	b := &env{gatewaytest.StartOn(t, sb, gatewaytest.WithCache(time.Hour), gatewaytest.WithRedis(t, rs.URL, "during:"), via)}

	r := b.Query(readList, nil) // cached on B: vip-customers
	require.Empty(t, r.Errors, r.Raw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Query(`mutation { updateAccountList(id: "1", input: {name: "during_write", enhanced: true}) { name } }`, nil)
	}()
	<-applied
	for range 3 {
		r = b.Query(readList, nil)
		require.Empty(t, r.Errors, r.Raw)
		assert.JSONEq(t, `{"accountList":{"name":"during_write","enhanced":true}}`, string(r.Data), "Cordial has the new record: B does not serve the cached old one")
	}
	close(release)
	<-done
}
