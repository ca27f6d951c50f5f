package idempotency_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

const (
	createList = `mutation Create($name: String!, $enhanced: Boolean) {
  createAccountList(input: {name: $name, enhanced: $enhanced}) { id name }
}`
	listsQuery = `query Lists { accountLists { id } }`
)

// counting is the wrapped GraphQL endpoint: every run answers with a fresh
// call number, so a replay is told apart from a second run by its body.
type counting struct {
	calls  atomic.Int32
	status atomic.Int32 // 0 means 200
	// block, when set, is waited on before answering.
	block func()
	// bodies are the request bodies next saw.
	mu     sync.Mutex
	bodies []string
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, string(body))
	c.mu.Unlock()
	if c.block != nil {
		c.block()
	}
	status := int(c.status.Load())
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/graphql-response+json")
	w.Header().Set("X-Request-Id", fmt.Sprint("req-", n))
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"data":{"createAccountList":{"id":"%d"}}}`, n)
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newStore(t *testing.T, opts idempotency.MemoryOptions) *idempotency.MemoryStore {
	t.Helper()
	s := idempotency.NewMemoryStore(opts)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// subjectScope scopes keys by a test header standing in for the
// authenticated principal.
func subjectScope(r *http.Request) string { return r.Header.Get("X-Test-Subject") }

func newMiddleware(t *testing.T, next http.Handler, opts idempotency.Options) http.Handler {
	t.Helper()
	if opts.Store == nil {
		opts.Store = newStore(t, idempotency.MemoryOptions{})
	}
	if opts.Scope == nil {
		opts.Scope = subjectScope
	}
	h := idempotency.Middleware(opts, next)
	// Like the gateway's request deadline: a waiter that is never answered
	// fails the test instead of hanging it.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

func gqlBody(t *testing.T, query, opName string, vars map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "operationName": opName, "variables": vars})
	require.NoError(t, err)
	return string(b)
}

func post(body, key string, header ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if key != "" {
		r.Header.Set(idempotency.KeyHeader, key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// errorCode is errors[0].extensions.code of a GraphQL error body.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var resp struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(body, &resp), "body: %s", body)
	require.Len(t, resp.Errors, 1)
	require.NotEmpty(t, resp.Errors[0].Message)
	code, _ := resp.Errors[0].Extensions["code"].(string)
	return code
}

func TestReplayReturnsStoredResponseWithoutRunningAgain(t *testing.T) {
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{})
	vars := map[string]any{"name": "safe_drivers", "enhanced": true}
	body := gqlBody(t, createList, "Create", vars)

	first := serve(h, post(body, "key-1"))
	require.Equal(t, http.StatusOK, first.Code)
	require.Empty(t, first.Header().Get(idempotency.ReplayedHeader))
	require.Equal(t, `{"data":{"createAccountList":{"id":"1"}}}`, first.Body.String())
	require.Equal(t, body, next.bodies[0], "next reads the body the client sent")

	// The same request, and the same request written differently: other
	// whitespace and comments, implicit operation name, reordered variables.
	reformatted := strings.Join(strings.Fields(createList), "  \n ") + " # trailing comment"
	reordered := `{"variables":{"enhanced":true,"name":"safe_drivers"},"query":` + mustJSON(t, reformatted) + `}`
	for _, b := range []string{body, gqlBody(t, reformatted, "Create", vars), reordered} {
		again := serve(h, post(b, "key-1"))
		require.Equal(t, http.StatusOK, again.Code)
		assert.Equal(t, first.Body.Bytes(), again.Body.Bytes(), "replay is byte-identical")
		assert.Equal(t, "true", again.Header().Get(idempotency.ReplayedHeader))
		assert.Equal(t, "application/graphql-response+json", again.Header().Get("Content-Type"))
		assert.Empty(t, again.Header().Get("X-Request-Id"), "per-request headers are not replayed")
	}
	require.EqualValues(t, 1, next.calls.Load(), "the wrapped handler ran once")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestSameKeyDifferentRequestConflicts(t *testing.T) {
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{})
	first := gqlBody(t, createList, "Create", map[string]any{"name": "safe_drivers", "enhanced": true})
	require.Equal(t, http.StatusOK, serve(h, post(first, "key-1")).Code)

	for name, body := range map[string]string{
		"different variables": gqlBody(t, createList, "Create", map[string]any{"name": "other", "enhanced": true}),
		"a variable left out": gqlBody(t, createList, "Create", map[string]any{"name": "safe_drivers"}),
		"different selection": gqlBody(t, strings.Replace(createList, "id name", "id", 1), "Create", map[string]any{"name": "safe_drivers", "enhanced": true}),
		"different mutation":  gqlBody(t, `mutation Create($name: String!) { deleteAccountList(name: $name) }`, "Create", map[string]any{"name": "safe_drivers"}),
		"different op name":   gqlBody(t, strings.Replace(createList, "Create", "Make", 1), "Make", map[string]any{"name": "safe_drivers", "enhanced": true}),
	} {
		t.Run(name, func(t *testing.T) {
			w := serve(h, post(body, "key-1"))
			require.Equal(t, http.StatusConflict, w.Code)
			require.Equal(t, "application/json", w.Header().Get("Content-Type"))
			require.Equal(t, "CONFLICT", errorCode(t, w.Body.Bytes()))
		})
	}
	require.EqualValues(t, 1, next.calls.Load(), "a conflict never reaches the handler")
}

func TestDifferentKeyRunsAgain(t *testing.T) {
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	a := serve(h, post(body, "key-a"))
	b := serve(h, post(body, "key-b"))
	require.Equal(t, http.StatusOK, a.Code)
	require.Equal(t, http.StatusOK, b.Code)
	require.NotEqual(t, a.Body.String(), b.Body.String())
	require.Empty(t, b.Header().Get(idempotency.ReplayedHeader))
	require.EqualValues(t, 2, next.calls.Load())
}

func TestPassesThroughWhatIsNotAKeyedMutation(t *testing.T) {
	mutation := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	get := httptest.NewRequest(http.MethodGet, "/query?query="+strings.ReplaceAll(listsQuery, " ", "+"), nil)
	get.Header.Set(idempotency.KeyHeader, "key-1")
	for name, req := range map[string]func() *http.Request{
		"query with a key":       func() *http.Request { return post(gqlBody(t, listsQuery, "", nil), "key-1") },
		"query selected by name": func() *http.Request { return post(gqlBody(t, listsQuery+"\n"+createList, "Lists", nil), "key-1") },
		"subscription":           func() *http.Request { return post(gqlBody(t, `subscription S { x }`, "", nil), "key-1") },
		"mutation without a key": func() *http.Request { return post(mutation, "") },
		"unparsable document":    func() *http.Request { return post(gqlBody(t, "mutation {", "", nil), "key-1") },
		"no operation selected":  func() *http.Request { return post(gqlBody(t, listsQuery+"\n"+createList, "", nil), "key-1") },
		"unknown operation name": func() *http.Request { return post(gqlBody(t, createList, "Nope", nil), "key-1") },
		"body that is not JSON":  func() *http.Request { return post("mutation { x }", "key-1") },
		"GET":                    func() *http.Request { return get.Clone(context.Background()) },
		"persisted hash, no APQ": func() *http.Request {
			return post(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`, "key-1")
		},
	} {
		t.Run(name, func(t *testing.T) {
			next := &counting{}
			h := newMiddleware(t, next, idempotency.Options{})
			for range 2 {
				r := req()
				var sent string
				if r.Body != nil {
					b, _ := io.ReadAll(r.Body)
					sent = string(b)
					r.Body = io.NopCloser(strings.NewReader(sent))
				}
				w := serve(h, r)
				require.Equal(t, http.StatusOK, w.Code)
				require.Empty(t, w.Header().Get(idempotency.ReplayedHeader))
				require.Equal(t, sent, next.bodies[len(next.bodies)-1], "next reads the body the client sent")
			}
			require.EqualValues(t, 2, next.calls.Load(), "both requests ran")
		})
	}
}

func TestPersistedQueryResolvedThroughTheCache(t *testing.T) {
	sum := sha256.Sum256([]byte(createList))
	hash := hex.EncodeToString(sum[:])
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{
		PersistedQuery: func(_ context.Context, h string) (string, bool) { return createList, h == hash },
	})
	hashOnly := func(name string) string {
		return fmt.Sprintf(`{"operationName":"Create","variables":{"name":%q},"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, name, hash)
	}
	withQuery := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	first := serve(h, post(withQuery, "key-1"))
	again := serve(h, post(hashOnly("a"), "key-1"))
	require.Equal(t, first.Body.String(), again.Body.String())
	require.Equal(t, "true", again.Header().Get(idempotency.ReplayedHeader), "the hash-only retry is the same request")
	require.Equal(t, http.StatusConflict, serve(h, post(hashOnly("b"), "key-1")).Code)
	require.EqualValues(t, 1, next.calls.Load())
}

func TestConcurrentDuplicatesRunOnce(t *testing.T) {
	const n = 10
	store := &watchedStore{MemoryStore: newStore(t, idempotency.MemoryOptions{}), waiting: map[string]bool{}}
	next := &counting{}
	// The first request holds the key until every other one has found it
	// pending, so they are all duplicates of a request still running.
	next.block = func() { store.waitFor(t, n-1) }
	srv := httptest.NewServer(newMiddleware(t, next, idempotency.Options{Store: store, PollInterval: 10 * time.Millisecond}))
	defer srv.Close()

	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	type result struct {
		status   int
		body     string
		replayed string
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/query", strings.NewReader(body))
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(idempotency.KeyHeader, "same-key")
			resp, err := srv.Client().Do(req)
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			assert.NoError(t, err)
			results[i] = result{resp.StatusCode, string(b), resp.Header.Get(idempotency.ReplayedHeader)}
		})
	}
	wg.Wait()

	require.EqualValues(t, 1, next.calls.Load(), "the handler ran exactly once")
	replayed := 0
	for _, r := range results {
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, `{"data":{"createAccountList":{"id":"1"}}}`, r.body)
		if r.replayed == "true" {
			replayed++
		}
	}
	require.Equal(t, n-1, replayed)
}

// watchedStore is the memory store, noting which requests (by reservation
// owner) found the key pending.
type watchedStore struct {
	*idempotency.MemoryStore
	mu      sync.Mutex
	waiting map[string]bool
}

func (s *watchedStore) Reserve(ctx context.Context, key string, pending idempotency.Record, ttl time.Duration) (*idempotency.Record, bool, error) {
	existing, reserved, err := s.MemoryStore.Reserve(ctx, key, pending, ttl)
	if existing != nil && existing.State == idempotency.StatePending {
		s.mu.Lock()
		s.waiting[pending.Owner] = true
		s.mu.Unlock()
	}
	return existing, reserved, err
}

func (s *watchedStore) waitFor(t *testing.T, n int) {
	assert.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.waiting) >= n
	}, 10*time.Second, time.Millisecond, "duplicates never arrived")
}

func TestFailedAttemptIsNotStored(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			next := &counting{}
			next.status.Store(int32(status))
			h := newMiddleware(t, next, idempotency.Options{})
			body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

			require.Equal(t, status, serve(h, post(body, "key-1")).Code)
			next.status.Store(0)
			retry := serve(h, post(body, "key-1"))
			require.Equal(t, http.StatusOK, retry.Code)
			require.Empty(t, retry.Header().Get(idempotency.ReplayedHeader))
			require.Equal(t, "true", serve(h, post(body, "key-1")).Header().Get(idempotency.ReplayedHeader), "the success is stored")
			require.EqualValues(t, 2, next.calls.Load())
		})
	}
}

func TestPanicReleasesTheKey(t *testing.T) {
	panicking := true
	calls := 0
	h := newMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		if panicking {
			panic(http.ErrAbortHandler)
		}
		_, _ = w.Write([]byte(`{"data":{}}`))
	}), idempotency.Options{})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	require.PanicsWithValue(t, http.ErrAbortHandler, func() { serve(h, post(body, "key-1")) })
	panicking = false
	w := serve(h, post(body, "key-1"))
	require.Equal(t, http.StatusOK, w.Code)
	require.Empty(t, w.Header().Get(idempotency.ReplayedHeader))
	require.Equal(t, 2, calls)
}

func TestWaiterRunsWhenTheFirstAttemptFails(t *testing.T) {
	store := &watchedStore{MemoryStore: newStore(t, idempotency.MemoryOptions{}), waiting: map[string]bool{}}
	release := make(chan struct{})
	var calls atomic.Int32
	h := newMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			<-release
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(`{"data":{"ok":true}}`))
	}), idempotency.Options{Store: store, PollInterval: 5 * time.Millisecond})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	first := make(chan int)
	go func() { first <- serve(h, post(body, "key-1")).Code }()
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	second := make(chan *httptest.ResponseRecorder)
	go func() { second <- serve(h, post(body, "key-1")) }()
	store.waitFor(t, 1)
	close(release)

	require.Equal(t, http.StatusInternalServerError, <-first)
	w := <-second
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, `{"data":{"ok":true}}`, w.Body.String())
	require.Empty(t, w.Header().Get(idempotency.ReplayedHeader), "the waiter ran the request itself")
	require.EqualValues(t, 2, calls.Load())
}

func TestWaiterGivesUpWithItsContext(t *testing.T) {
	release := make(chan struct{})
	next := &counting{block: func() { <-release }}
	h := newMiddleware(t, next, idempotency.Options{PollInterval: 5 * time.Millisecond})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	first := make(chan int)
	go func() { first <- serve(h, post(body, "key-1")).Code }()
	require.Eventually(t, func() bool { return next.calls.Load() == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	w := serve(h, post(body, "key-1").WithContext(ctx))
	require.Equal(t, http.StatusConflict, w.Code)
	require.Equal(t, "CONFLICT", errorCode(t, w.Body.Bytes()))
	require.Equal(t, "1", w.Header().Get("Retry-After"))

	close(release)
	require.Equal(t, http.StatusOK, <-first)
	require.EqualValues(t, 1, next.calls.Load())
}

func TestStoredResponsesExpire(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	for name, tc := range map[string]struct {
		ttl, live time.Duration
	}{
		"default 24 h": {0, 24 * time.Hour},
		"configured":   {time.Hour, time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			next := &counting{}
			store := newStore(t, idempotency.MemoryOptions{Now: clock.Now})
			h := newMiddleware(t, next, idempotency.Options{Store: store, TTL: tc.ttl})
			body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

			serve(h, post(body, "key-1"))
			clock.Advance(tc.live - time.Second)
			require.Equal(t, "true", serve(h, post(body, "key-1")).Header().Get(idempotency.ReplayedHeader))
			require.EqualValues(t, 1, next.calls.Load())

			clock.Advance(time.Second)
			w := serve(h, post(body, "key-1"))
			require.Empty(t, w.Header().Get(idempotency.ReplayedHeader))
			require.EqualValues(t, 2, next.calls.Load(), "an expired key runs again")
		})
	}
}

func TestInvalidKeyIsRejected(t *testing.T) {
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	for name, keys := range map[string][]string{
		"empty":             {""},
		"256 characters":    {strings.Repeat("k", 256)},
		"non-ASCII":         {"clé"},
		"control character": {"a\x01b"},
		"two values":        {"a", "b"},
	} {
		t.Run(name, func(t *testing.T) {
			next := &counting{}
			h := newMiddleware(t, next, idempotency.Options{})
			r := post(body, "")
			r.Header[idempotency.KeyHeader] = keys
			w := serve(h, r)
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Equal(t, "application/json", w.Header().Get("Content-Type"))
			require.Equal(t, "BAD_USER_INPUT", errorCode(t, w.Body.Bytes()))
			require.Zero(t, next.calls.Load())
		})
	}
	t.Run("255 printable characters", func(t *testing.T) {
		next := &counting{}
		h := newMiddleware(t, next, idempotency.Options{})
		key := strings.Repeat("~ !", 85)
		require.Equal(t, http.StatusOK, serve(h, post(body, key)).Code)
		require.Equal(t, "true", serve(h, post(body, key)).Header().Get(idempotency.ReplayedHeader))
	})
}

func TestKeysAreScopedPerIdentity(t *testing.T) {
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{})
	alice := gqlBody(t, createList, "Create", map[string]any{"name": "alice_list"})
	bob := gqlBody(t, createList, "Create", map[string]any{"name": "bob_list"})

	a := serve(h, post(alice, "key-1", "X-Test-Subject", "alice"))
	b := serve(h, post(bob, "key-1", "X-Test-Subject", "bob"))
	require.Equal(t, http.StatusOK, b.Code, "bob's key is not alice's: no conflict")
	require.Empty(t, b.Header().Get(idempotency.ReplayedHeader))
	require.NotEqual(t, a.Body.String(), b.Body.String())

	anon := serve(h, post(alice, "key-1"))
	require.Empty(t, anon.Header().Get(idempotency.ReplayedHeader), "an anonymous caller does not see alice's response")
	require.Equal(t, a.Body.String(), serve(h, post(alice, "key-1", "X-Test-Subject", "alice")).Body.String())
	require.EqualValues(t, 3, next.calls.Load())
}

func TestOversizedBodyIsRefused(t *testing.T) {
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{MaxBodyBytes: 64})
	w := serve(h, post(gqlBody(t, createList, "Create", map[string]any{"name": "a"}), "key-1"))
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	require.Equal(t, "PAYLOAD_TOO_LARGE", errorCode(t, w.Body.Bytes()))
	require.Zero(t, next.calls.Load())
}

func TestOversizedResponseIsSentButNotStored(t *testing.T) {
	next := &counting{}
	h := newMiddleware(t, next, idempotency.Options{MaxResponseBytes: 16})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	for i := range 2 {
		w := serve(h, post(body, "key-1"))
		require.Equal(t, fmt.Sprintf(`{"data":{"createAccountList":{"id":"%d"}}}`, i+1), w.Body.String())
		require.Empty(t, w.Header().Get(idempotency.ReplayedHeader))
	}
	require.EqualValues(t, 2, next.calls.Load())
}

func TestStoreFailureFailsClosed(t *testing.T) {
	// A full store (one slot, held by a running request) refuses a second
	// key: the mutation must not run unguarded.
	store := newStore(t, idempotency.MemoryOptions{MaxEntries: 1})
	release := make(chan struct{})
	next := &counting{block: func() { <-release }}
	h := newMiddleware(t, next, idempotency.Options{Store: store})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	first := make(chan int)
	go func() { first <- serve(h, post(body, "key-1")).Code }()
	require.Eventually(t, func() bool { return next.calls.Load() == 1 }, 5*time.Second, time.Millisecond)

	w := serve(h, post(body, "key-2"))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "SHARED_STATE_UNAVAILABLE", errorCode(t, w.Body.Bytes()))
	close(release)
	require.Equal(t, http.StatusOK, <-first)
	require.EqualValues(t, 1, next.calls.Load())
}

func TestStoredKeysAreHashed(t *testing.T) {
	store := &keyLog{MemoryStore: newStore(t, idempotency.MemoryOptions{})}
	h := newMiddleware(t, &counting{}, idempotency.Options{Store: store})
	serve(h, post(gqlBody(t, createList, "Create", map[string]any{"name": "a"}), "secret-key", "X-Test-Subject", "alice"))
	require.Len(t, store.keys, 1)
	sum := sha256.Sum256([]byte("alice\x00secret-key"))
	require.Equal(t, hex.EncodeToString(sum[:]), store.keys[0])
}

type keyLog struct {
	*idempotency.MemoryStore
	keys []string
}

func (s *keyLog) Reserve(ctx context.Context, key string, pending idempotency.Record, ttl time.Duration) (*idempotency.Record, bool, error) {
	s.keys = append(s.keys, key)
	return s.MemoryStore.Reserve(ctx, key, pending, ttl)
}

func TestFailedWith(t *testing.T) {
	retryable := idempotency.FailedWith("VENDOR_RATE_LIMITED", "VENDOR_NOT_CONFIGURED")
	for name, tc := range map[string]struct {
		body string
		want bool
	}{
		"rate limited": {`{"errors":[{"message":"m","extensions":{"code":"VENDOR_RATE_LIMITED","retryAfterSeconds":3}}],"data":{"createAccountList":null}}`, true},
		"data null":    {`{"errors":[{"message":"m","extensions":{"code":"VENDOR_NOT_CONFIGURED"}}],"data":null}`, true},
		"both codes": {`{"errors":[{"extensions":{"code":"VENDOR_RATE_LIMITED"}},{"extensions":{"code":"VENDOR_NOT_CONFIGURED"}}],
			"data":{"a":null,"b":null}}`, true},
		"with a refusal":     {`{"errors":[{"extensions":{"code":"FORBIDDEN"}},{"extensions":{"code":"VENDOR_RATE_LIMITED"}}],"data":{"a":null,"b":null}}`, true},
		"success":            {`{"data":{"createAccountList":{"id":"1"}}}`, false},
		"another field done": {`{"errors":[{"extensions":{"code":"VENDOR_RATE_LIMITED"}}],"data":{"a":null,"b":{"id":"1"}}}`, false},
		"another code":       {`{"errors":[{"extensions":{"code":"VENDOR_RATE_LIMITED"}},{"extensions":{"code":"VENDOR_TIMEOUT"}}],"data":{"a":null,"b":null}}`, false},
		"no code":            {`{"errors":[{"message":"m"}],"data":{"a":null}}`, false},
		"partial bulk call":  {`{"errors":[{"extensions":{"code":"VENDOR_RATE_LIMITED","ids":["x"]}}],"data":{"archiveAccounts":null}}`, false},
		"not JSON":           {`oops`, false},
	} {
		t.Run(name, func(t *testing.T) { require.Equal(t, tc.want, retryable([]byte(tc.body))) })
	}
}

func TestRetryableFailureIsNotStored(t *testing.T) {
	var calls atomic.Int32
	h := newMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			_, _ = w.Write([]byte(`{"errors":[{"message":"slow down","extensions":{"code":"VENDOR_RATE_LIMITED"}}],"data":{"createAccountList":null}}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"createAccountList":{"id":"1"}}}`))
	}), idempotency.Options{Retryable: idempotency.FailedWith("VENDOR_RATE_LIMITED")})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	require.Contains(t, serve(h, post(body, "key-1")).Body.String(), "VENDOR_RATE_LIMITED")
	retry := serve(h, post(body, "key-1"))
	require.Equal(t, `{"data":{"createAccountList":{"id":"1"}}}`, retry.Body.String())
	require.Empty(t, retry.Header().Get(idempotency.ReplayedHeader))
	require.Equal(t, "true", serve(h, post(body, "key-1")).Header().Get(idempotency.ReplayedHeader))
	require.EqualValues(t, 2, calls.Load())
}

func TestGraphQLErrorsAreStoredByDefault(t *testing.T) {
	var calls atomic.Int32
	h := newMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"errors":[{"message":"taken","extensions":{"code":"CONFLICT"}}],"data":{"createAccountList":null}}`))
	}), idempotency.Options{})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	first := serve(h, post(body, "key-1"))
	again := serve(h, post(body, "key-1"))
	require.Equal(t, first.Body.String(), again.Body.String())
	require.Equal(t, "true", again.Header().Get(idempotency.ReplayedHeader), "a 200 with errors is the mutation's answer")
	require.EqualValues(t, 1, calls.Load())
}
