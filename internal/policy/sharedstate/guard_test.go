package sharedstate_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/idempotency"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// testBreakerOpen keeps the breaker's open spell short in tests.
const testBreakerOpen = 300 * time.Millisecond

func open(t *testing.T, url string) *sharedstate.Stores {
	t.Helper()
	s, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: url, BreakerOpen: testBreakerOpen}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// A frozen Redis (SIGSTOP: connections open, nothing answers) costs each
// call its own deadline, not go-redis's 3 s read timeout retried: on
// adb9586 a cache lookup bounded at 250 ms took 5 s. After a few such
// calls the breaker opens and every call fails at once, which /readyz
// shows; once Redis answers again, one probe closes it.
//
// The bounds asserted are ten times the deadlines, so that a loaded
// machine cannot fail the test while a return of the 5 s waits would.
func TestFrozenRedisFailsFastThenOpensTheBreaker(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	s := open(t, rs.URL)
	ctx := context.Background()
	_, _, _, err := s.Cache.Get(ctx, "cordial", "k")
	require.NoError(t, err)
	assert.Equal(t, "closed", s.Health(ctx).Breaker)

	rs.Freeze()
	t.Cleanup(rs.Thaw)
	for i := range sharedstate.BreakerFailures {
		cctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		start := time.Now()
		_, _, _, err := s.Cache.Get(cctx, "cordial", "k")
		cancel()
		require.Error(t, err, "call %d", i)
		assert.Less(t, time.Since(start), 2500*time.Millisecond, "call %d is bounded by its context", i)
	}
	start := time.Now()
	_, _, err = s.Idempotency.Reserve(ctx, "key", idempotency.Record{Fingerprint: "f", Owner: "o", Created: time.Now()}, time.Minute)
	require.ErrorIs(t, err, sharedstate.ErrUnavailable, "the breaker is open: every store fails at once")
	assert.Less(t, time.Since(start), 100*time.Millisecond)
	h := s.Health(ctx)
	assert.Equal(t, "open", h.Breaker)
	assert.NotEmpty(t, h.Degraded)

	rs.Thaw()
	require.Eventually(t, func() bool {
		_, _, _, err := s.Cache.Get(ctx, "cordial", "k")
		return err == nil
	}, 20*testBreakerOpen, 50*time.Millisecond, "a probe after BreakerOpen finds Redis back")
	assert.Equal(t, "closed", s.Health(ctx).Breaker)
}

// A killed Redis refuses connections: the same fail-fast, no hang.
func TestKilledRedisFailsFast(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	s := open(t, rs.URL)
	ctx := context.Background()
	rs.Kill()
	for range sharedstate.BreakerFailures + 1 {
		_, err := s.RateLimiter.Reserve(ctx, "ortto", 10, 1)
		require.Error(t, err)
	}
	_, err := s.RateLimiter.Reserve(ctx, "ortto", 10, 1)
	assert.True(t, errors.Is(err, sharedstate.ErrUnavailable), "%v", err)
}

// Durability is read from Redis and shown; without AOF the replica says
// it is degraded.
func TestDurabilityIsReadFromRedis(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     redistest.Options
		want     string
		degraded bool
	}{
		{"persistence off", redistest.Options{}, "none", true},
		{"aof everysec: survives a Redis crash", redistest.Options{AOF: true, Fsync: "everysec"}, "aof-everysec", false},
		{"aof always", redistest.Options{AOF: true, Fsync: "always"}, "aof-always", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := redistest.StartWith(t, tc.opts)
			h := open(t, rs.URL).Health(context.Background())
			assert.Equal(t, "redis", h.Store)
			assert.Equal(t, tc.want, h.Durability)
			assert.Equal(t, tc.degraded, len(h.Degraded) > 0, h.Degraded)
		})
	}
}

// With AOF and appendfsync always, a key completed before a Redis crash
// (SIGKILL) and one reserved before it are both there after the restart:
// the retry replays, or waits, instead of running the mutation again. On
// adb9586 (no persistence asked for) both were gone.
func TestIdempotencyKeysSurviveARedisCrashWithAOF(t *testing.T) {
	t.Parallel()
	rs := redistest.StartWith(t, redistest.Options{AOF: true, Fsync: "always"})
	s := open(t, rs.URL)
	ctx := context.Background()
	now := time.Now()
	done := idempotency.Record{Fingerprint: "f1", Owner: "o1", Created: now, Lease: now.Add(time.Minute)}
	_, reserved, err := s.Idempotency.Reserve(ctx, "done", done, time.Hour)
	require.NoError(t, err)
	require.True(t, reserved)
	done.Status, done.Body = 200, []byte(`{"data":{"createAccountList":{"id":"9"}}}`)
	require.NoError(t, s.Idempotency.Complete(ctx, "done", done, time.Hour))
	pending := idempotency.Record{Fingerprint: "f2", Owner: "o2", Created: now, Lease: now.Add(time.Minute)}
	_, reserved, err = s.Idempotency.Reserve(ctx, "pending", pending, time.Hour)
	require.NoError(t, err)
	require.True(t, reserved)

	rs.Restart()
	require.Eventually(t, func() bool {
		_, _, _, err := s.Cache.Get(ctx, "x", "y")
		return err == nil
	}, 20*testBreakerOpen, 50*time.Millisecond)

	got, reserved, err := s.Idempotency.Reserve(ctx, "done", idempotency.Record{Fingerprint: "f1", Owner: "retry"}, time.Hour)
	require.NoError(t, err)
	require.False(t, reserved, "the completed key survived")
	assert.Equal(t, idempotency.StateDone, got.State)
	assert.JSONEq(t, string(done.Body), string(got.Body))

	got, reserved, err = s.Idempotency.Reserve(ctx, "pending", idempotency.Record{Fingerprint: "f2", Owner: "retry"}, time.Hour)
	require.NoError(t, err)
	require.False(t, reserved, "the reservation in flight survived")
	assert.Equal(t, idempotency.StatePending, got.State)
	require.NoError(t, s.Idempotency.Complete(ctx, "pending", pending, time.Hour), "its owner completes it after the restart")
}

// A caller whose own deadline leaves Redis too little time to answer (a
// duplicate request polling for its Idempotency-Key as its deadline
// ends) says nothing about Redis: however many such calls fail, the
// breaker stays closed. Calls that had time and got no answer open it.
func TestShortCallerDeadlinesDoNotOpenTheBreaker(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	s := open(t, rs.URL)
	ctx := context.Background()
	rs.Freeze()
	t.Cleanup(rs.Thaw)
	for range 3 * sharedstate.BreakerFailures {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		_, _, _, err := s.Cache.Get(cctx, "cordial", "k")
		cancel()
		require.Error(t, err)
	}
	assert.Equal(t, "closed", s.Health(ctx).Breaker, "the callers gave Redis no time to answer")
}

// A write in flight on one replica is seen by every replica's reads
// (Current, and the cache's Get), each of its two moves changes the
// generation, and the mark of a write whose replica died ends on its own.
func TestWritesInFlightAreShared(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	a, b := open(t, rs.URL), open(t, rs.URL)
	ctx := context.Background()
	g0, writing, err := b.Generations.Current(ctx, "cordial")
	require.NoError(t, err)
	assert.False(t, writing)

	require.NoError(t, a.Generations.BeginWrite(ctx, "cordial", "w1", time.Minute))
	g1, writing, err := b.Generations.Current(ctx, "cordial")
	require.NoError(t, err)
	assert.True(t, writing, "B sees A's write in flight")
	assert.NotEqual(t, g0, g1)
	_, _, writing, err = b.Cache.Get(ctx, "cordial", "k")
	require.NoError(t, err)
	assert.True(t, writing, "and so does B's cache")

	require.NoError(t, a.Generations.EndWrite(ctx, "cordial", "w1"))
	g2, writing, err := b.Generations.Current(ctx, "cordial")
	require.NoError(t, err)
	assert.False(t, writing)
	assert.NotEqual(t, g1, g2)

	require.NoError(t, a.Generations.BeginWrite(ctx, "cordial", "dies", 50*time.Millisecond))
	require.Eventually(t, func() bool {
		_, writing, err := b.Generations.Current(ctx, "cordial")
		return err == nil && !writing
	}, 5*time.Second, 20*time.Millisecond, "a dead replica's mark expires")
}
