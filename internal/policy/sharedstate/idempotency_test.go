package sharedstate_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/idempotency"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// replicas are two handles on one store, as two gateway replicas hold
// them, and a way to let records of a given TTL expire.
type replicas struct {
	a, b   idempotency.Store
	expire func(ttl time.Duration)
}

// memoryReplicas is one MemoryStore (a single process) on a fake clock.
func memoryReplicas(t *testing.T) replicas {
	var now atomic.Int64
	now.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	s := idempotency.NewMemoryStore(idempotency.MemoryOptions{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	t.Cleanup(func() { _ = s.Close() })
	return replicas{a: s, b: s, expire: func(ttl time.Duration) { now.Add(int64(ttl + time.Millisecond)) }}
}

// redisReplicas are two IdempotencyStores over two clients of one
// redis-server. Expiry is Redis's own, so expire sleeps past the TTL.
func redisReplicas(t *testing.T) replicas {
	srv := redistest.Start(t)
	return replicas{
		a:      sharedstate.NewIdempotencyStore(srv.Client(t), "test:"),
		b:      sharedstate.NewIdempotencyStore(srv.Client(t), "test:"),
		expire: func(ttl time.Duration) { time.Sleep(ttl + 20*time.Millisecond) },
	}
}

// TestIdempotencyStoreContract runs the idempotency.Store contract against
// the in-memory store and the Redis one, so the two cannot drift apart.
func TestIdempotencyStoreContract(t *testing.T) {
	for name, open := range map[string]func(*testing.T) replicas{"memory": memoryReplicas, "redis": redisReplicas} {
		t.Run(name, func(t *testing.T) { testContract(t, open(t)) })
	}
}

const (
	long  = time.Minute
	short = 30 * time.Millisecond
)

func pending(fp, owner string) idempotency.Record {
	return idempotency.Record{Fingerprint: fp, State: idempotency.StatePending, Owner: owner, Created: time.Date(2030, 1, 1, 12, 0, 0, 123456789, time.UTC)}
}

func done(p idempotency.Record, body string) idempotency.Record {
	p.State = idempotency.StateDone
	p.Status = 200
	p.Header = map[string][]string{"Content-Type": {"application/graphql-response+json"}}
	p.Body = []byte(body)
	return p
}

func testContract(t *testing.T, r replicas) {
	ctx := context.Background()
	key := func(t *testing.T) string { return sha256Hex(t.Name()) }

	t.Run("reserve, wait, complete, replay", func(t *testing.T) {
		k := key(t)
		first := pending("fp", "owner-a")
		existing, reserved, err := r.a.Reserve(ctx, k, first, long)
		require.NoError(t, err)
		require.True(t, reserved)
		assert.Nil(t, existing)

		existing, reserved, err = r.b.Reserve(ctx, k, pending("fp", "owner-b"), long)
		require.NoError(t, err)
		require.False(t, reserved, "the other replica sees the reservation")
		assert.Equal(t, idempotency.StatePending, existing.State)
		assert.Equal(t, "fp", existing.Fingerprint)
		assert.Equal(t, "owner-a", existing.Owner)

		assert.ErrorIs(t, r.b.Complete(ctx, k, done(pending("fp", "owner-b"), "theirs"), long), idempotency.ErrNotHeld, "only the owner completes")
		existing, _, err = r.b.Reserve(ctx, k, pending("fp", "owner-b"), long)
		require.NoError(t, err)
		assert.Equal(t, idempotency.StatePending, existing.State, "a refused Complete stores nothing")

		body := []byte(`{"data":{"createAccountList":{"id":"7"}}}`)
		rec := done(first, "")
		rec.Body = body
		require.NoError(t, r.a.Complete(ctx, k, rec, long))
		copy(body, "XXXXXXXX") // the caller may reuse its buffer

		existing, reserved, err = r.b.Reserve(ctx, k, pending("fp", "owner-c"), long)
		require.NoError(t, err)
		require.False(t, reserved)
		assert.Equal(t, idempotency.StateDone, existing.State)
		assert.Equal(t, 200, existing.Status)
		assert.Equal(t, map[string][]string{"Content-Type": {"application/graphql-response+json"}}, existing.Header)
		assert.Equal(t, `{"data":{"createAccountList":{"id":"7"}}}`, string(existing.Body), "the stored bytes, not the caller's buffer")
		assert.True(t, first.Created.Equal(existing.Created))

		assert.ErrorIs(t, r.a.Complete(ctx, k, rec, long), idempotency.ErrNotHeld, "a done record is not pending")
		require.NoError(t, r.a.Release(ctx, k, "owner-a"))
		existing, _, err = r.b.Reserve(ctx, k, pending("fp", "owner-c"), long)
		require.NoError(t, err)
		assert.Equal(t, idempotency.StateDone, existing.State, "Release never drops a done record")
	})

	t.Run("a different fingerprint is returned for the caller to refuse", func(t *testing.T) {
		k := key(t)
		_, reserved, err := r.a.Reserve(ctx, k, pending("fp-1", "owner-a"), long)
		require.NoError(t, err)
		require.True(t, reserved)
		existing, reserved, err := r.b.Reserve(ctx, k, pending("fp-2", "owner-b"), long)
		require.NoError(t, err)
		assert.False(t, reserved)
		assert.Equal(t, "fp-1", existing.Fingerprint)
	})

	t.Run("release by its owner lets a retry reserve", func(t *testing.T) {
		k := key(t)
		_, reserved, err := r.a.Reserve(ctx, k, pending("fp", "owner-a"), long)
		require.NoError(t, err)
		require.True(t, reserved)
		require.NoError(t, r.b.Release(ctx, k, "owner-b"))
		_, reserved, err = r.b.Reserve(ctx, k, pending("fp", "owner-b"), long)
		require.NoError(t, err)
		assert.False(t, reserved, "a stranger's Release does nothing")

		require.NoError(t, r.a.Release(ctx, k, "owner-a"))
		_, reserved, err = r.b.Reserve(ctx, k, pending("fp", "owner-b"), long)
		require.NoError(t, err)
		assert.True(t, reserved)
		require.NoError(t, r.a.Release(ctx, sha256Hex("never used"), "owner-a"), "releasing a missing key is not an error")
	})

	t.Run("an expired reservation is taken over and its first owner cannot touch it", func(t *testing.T) {
		k := key(t)
		_, reserved, err := r.a.Reserve(ctx, k, pending("fp", "owner-a"), short)
		require.NoError(t, err)
		require.True(t, reserved)
		r.expire(short)

		_, reserved, err = r.b.Reserve(ctx, k, pending("fp", "owner-b"), long)
		require.NoError(t, err)
		require.True(t, reserved, "the retry takes the expired key over")
		assert.ErrorIs(t, r.a.Complete(ctx, k, done(pending("fp", "owner-a"), "late"), long), idempotency.ErrNotHeld)
		require.NoError(t, r.a.Release(ctx, k, "owner-a"))
		existing, _, err := r.a.Reserve(ctx, k, pending("fp", "owner-c"), long)
		require.NoError(t, err)
		assert.Equal(t, "owner-b", existing.Owner, "the late owner neither completed nor released its successor's key")
		require.NoError(t, r.b.Complete(ctx, k, done(pending("fp", "owner-b"), "ok"), long))
	})

	t.Run("a done record expires after its TTL", func(t *testing.T) {
		k := key(t)
		_, reserved, err := r.a.Reserve(ctx, k, pending("fp", "owner-a"), long)
		require.NoError(t, err)
		require.True(t, reserved)
		require.NoError(t, r.a.Complete(ctx, k, done(pending("fp", "owner-a"), "ok"), short))
		r.expire(short)
		_, reserved, err = r.b.Reserve(ctx, k, pending("fp", "owner-b"), long)
		require.NoError(t, err)
		assert.True(t, reserved)
	})

	t.Run("one of many concurrent reservations wins, on either replica", func(t *testing.T) {
		k := key(t)
		const n = 16
		var (
			wg      sync.WaitGroup
			winners atomic.Int32
			mu      sync.Mutex
			seen    = map[string]int{}
		)
		for i := range n {
			s := r.a
			if i%2 == 1 {
				s = r.b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				existing, reserved, err := s.Reserve(ctx, k, pending("fp", fmt.Sprintf("owner-%d", i)), long)
				if !assert.NoError(t, err) {
					return
				}
				if reserved {
					winners.Add(1)
					return
				}
				mu.Lock()
				seen[existing.Owner]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		assert.EqualValues(t, 1, winners.Load())
		assert.Len(t, seen, 1, "every loser saw the same winner")
	})
}

func TestRedisIdempotencyKeys(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	k := sha256Hex("scoped key")

	staging := sharedstate.NewIdempotencyStore(c, "staging:")
	prod := sharedstate.NewIdempotencyStore(c, "prod:")
	_, reserved, err := staging.Reserve(ctx, k, pending("fp", "a"), long)
	require.NoError(t, err)
	require.True(t, reserved)
	_, reserved, err = prod.Reserve(ctx, k, pending("fp", "b"), long)
	require.NoError(t, err)
	assert.True(t, reserved, "prefixes keep deployments apart")

	ttl, err := c.PTTL(ctx, "staging:idem:"+k).Result()
	require.NoError(t, err)
	assert.True(t, ttl > 0 && ttl <= long, "the key expires with the record: %s", ttl)
	require.NoError(t, staging.Complete(ctx, k, done(pending("fp", "a"), "ok"), 24*time.Hour))
	ttl, err = c.PTTL(ctx, "staging:idem:"+k).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, long, "Complete sets the replay TTL")

	_, _, err = sharedstate.NewIdempotencyStore(c, "").Reserve(ctx, k, pending("fp", "c"), long)
	require.NoError(t, err)
	n, err := c.Exists(ctx, sharedstate.DefaultPrefix+"idem:"+k).Result()
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "an empty prefix is DefaultPrefix")
}

func TestRedisIdempotencyUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = c.Close() })
	s := sharedstate.NewIdempotencyStore(c, "")
	ctx := context.Background()

	_, reserved, err := s.Reserve(ctx, sha256Hex("k"), pending("fp", "a"), long)
	require.Error(t, err, "the middleware answers 503 rather than run unguarded")
	assert.False(t, reserved)
	assert.Error(t, s.Complete(ctx, sha256Hex("k"), done(pending("fp", "a"), "ok"), long))
	assert.NotErrorIs(t, s.Complete(ctx, sha256Hex("k"), done(pending("fp", "a"), "ok"), long), idempotency.ErrNotHeld)
	assert.Error(t, s.Release(ctx, sha256Hex("k"), "a"))
}
