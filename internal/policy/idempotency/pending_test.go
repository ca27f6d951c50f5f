package idempotency_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

// withDeadline gives each request the deadline the gateway's
// SWITCHYARD_REQUEST_TIMEOUT would.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ttlLog notes every reservation and the TTL it was stored for.
type ttlLog struct {
	*idempotency.MemoryStore
	mu      sync.Mutex
	ttls    []time.Duration
	pending []idempotency.Record
}

func (s *ttlLog) Reserve(ctx context.Context, key string, pending idempotency.Record, ttl time.Duration) (*idempotency.Record, bool, error) {
	s.mu.Lock()
	s.ttls = append(s.ttls, ttl)
	s.pending = append(s.pending, pending)
	s.mu.Unlock()
	return s.MemoryStore.Reserve(ctx, key, pending, ttl)
}

// neverReleases is a store as a killed replica leaves it: its requests'
// reservations are never released.
type neverReleases struct{ *idempotency.MemoryStore }

func (neverReleases) Release(context.Context, string, string) error { return nil }

// The reservation's lease outlives the request's deadline, and the
// reservation itself is stored for the whole TTL, so that a store never
// expires it while its outcome is unknown.
func TestLeaseOutlivesTheRequestDeadline(t *testing.T) {
	cases := []struct {
		name            string
		deadline        time.Duration // 0: no deadline
		pendingTTL      time.Duration
		margin          time.Duration
		atLeast, atMost time.Duration
	}{
		{"no deadline: PendingTTL", 0, 0, 0, time.Minute, time.Minute},
		{"short deadline: PendingTTL", 10 * time.Second, 0, 0, time.Minute, time.Minute},
		{"120 s deadline: deadline plus margin", 120 * time.Second, 0, 0, 149 * time.Second, 150 * time.Second},
		{"configured margin", 120 * time.Second, 0, 5 * time.Second, 124 * time.Second, 125 * time.Second},
		{"longer PendingTTL wins", 120 * time.Second, 10 * time.Minute, 0, 10 * time.Minute, 10 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := &ttlLog{MemoryStore: newStore(t, idempotency.MemoryOptions{})}
			var h http.Handler = idempotency.Middleware(idempotency.Options{Store: store, PendingTTL: tc.pendingTTL, PendingMargin: tc.margin}, &counting{})
			if tc.deadline > 0 {
				h = withDeadline(tc.deadline, h)
			}
			require.Equal(t, http.StatusOK, serve(h, post(gqlBody(t, createList, "Create", map[string]any{"name": "a"}), "key-1")).Code)
			require.Len(t, store.pending, 1)
			lease := store.pending[0].Lease.Sub(store.pending[0].Created)
			assert.GreaterOrEqual(t, lease, tc.atLeast)
			assert.LessOrEqual(t, lease, tc.atMost)
			assert.Equal(t, idempotency.DefaultTTL, store.ttls[0], "the reservation is kept as long as a response would be")
		})
	}
}

// A retry after the lease of a request that never finished (its replica
// was killed after it may have reached the vendor) is refused with
// IDEMPOTENCY_OUTCOME_UNKNOWN, and keeps being refused: the key never
// silently becomes free to run the mutation again. On adb9586 the
// reservation expired with the lease and the retry ran the mutation.
func TestRetryAfterTheOwnerDiedIsOutcomeUnknown(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := newStore(t, idempotency.MemoryOptions{Now: clock.Now})
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	// The dead replica's reservation, as it left it in the shared store.
	dead := idempotency.Middleware(idempotency.Options{Store: neverReleases{store}, Now: clock.Now}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler) // stands in for kill -9: never completes
	}))
	func() {
		defer func() { _ = recover() }()
		serve(dead, post(body, "key-1"))
	}()

	next := &counting{}
	h := idempotency.Middleware(idempotency.Options{Store: store, Now: clock.Now}, next)
	for _, step := range []time.Duration{idempotency.DefaultPendingTTL + time.Second, time.Hour, 22 * time.Hour} {
		clock.Advance(step)
		w := serve(h, post(body, "key-1"))
		assert.Equal(t, http.StatusConflict, w.Code)
		assert.Contains(t, w.Body.String(), `"IDEMPOTENCY_OUTCOME_UNKNOWN"`)
		assert.Contains(t, w.Body.String(), "new key")
	}
	assert.Zero(t, next.calls.Load(), "the mutation never runs a second time under the key")

	clock.Advance(time.Hour) // past the 24 h TTL
	serve(h, post(body, "key-1"))
	assert.EqualValues(t, 1, next.calls.Load(), "after the TTL the key is free again")
}

// Issue 9, item 6: with a 120 s deadline and a vendor taking 75 s, a retry
// sent at 62 s must wait for the first request and replay its response,
// not find the reservation expired and create a second record.
func TestRetryOfASlowMutationDoesNotRunItAgain(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := &watchedStore{MemoryStore: newStore(t, idempotency.MemoryOptions{Now: clock.Now}), waiting: map[string]bool{}}
	release := make(chan struct{})
	next := &counting{block: func() { <-release }}
	h := withDeadline(120*time.Second, idempotency.Middleware(idempotency.Options{Store: store, PollInterval: time.Millisecond}, next))
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})

	first := make(chan string)
	go func() { first <- serve(h, post(body, "key-1")).Body.String() }()
	require.Eventually(t, func() bool { return next.calls.Load() == 1 }, 5*time.Second, time.Millisecond)

	clock.Advance(62 * time.Second)
	retry := make(chan string)
	go func() {
		w := serve(h, post(body, "key-1"))
		retry <- w.Header().Get(idempotency.ReplayedHeader) + " " + w.Body.String()
	}()
	require.Eventually(t, func() bool {
		store.mu.Lock()
		defer store.mu.Unlock()
		return len(store.waiting) == 1 || next.calls.Load() > 1
	}, 5*time.Second, time.Millisecond)
	clock.Advance(13 * time.Second) // the vendor answers at 75 s
	close(release)

	require.Equal(t, `{"data":{"createAccountList":{"id":"1"}}}`, <-first)
	require.Equal(t, `true {"data":{"createAccountList":{"id":"1"}}}`, <-retry)
	require.EqualValues(t, 1, next.calls.Load(), "the mutation ran once")
}

// A request that finishes after its reservation is gone cannot store its
// response: that is logged at ERROR and counted, never silent.
func TestLostReservationIsLoggedAndCounted(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := newStore(t, idempotency.MemoryOptions{Now: clock.Now})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	release := make(chan struct{})
	next := &counting{block: func() { <-release }}
	h := idempotency.Middleware(idempotency.Options{Store: store, Logger: logger}, next)
	body := gqlBody(t, createList, "Create", map[string]any{"name": "a"})
	before := idempotency.LostReservations()

	done := make(chan int)
	go func() { done <- serve(h, post(body, "key-1")).Code }()
	require.Eventually(t, func() bool { return next.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	clock.Advance(idempotency.DefaultTTL + time.Second) // the store lost the reservation (here: expired)
	close(release)
	require.Equal(t, http.StatusOK, <-done, "the client still gets its response")

	assert.Equal(t, before+1, idempotency.LostReservations())
	var line map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &line), logs.String())
	assert.Equal(t, "ERROR", line["level"])
	assert.Contains(t, line["msg"], "reservation lost")
	assert.NotEmpty(t, line["key"])
}
