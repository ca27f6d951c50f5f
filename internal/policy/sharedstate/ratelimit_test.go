package sharedstate_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// TestRateLimiterIsOneBudgetForEveryReplica: two replicas' limiters,
// each on its own client of one redis-server, asking as fast as they are
// told they may, are granted the vendor's rate between them.
func TestRateLimiterIsOneBudgetForEveryReplica(t *testing.T) {
	rs := redistest.Start(t)
	a := sharedstate.NewRateLimiter(rs.Client(t), "test:")
	b := sharedstate.NewRateLimiter(rs.Client(t), "test:")
	ctx := context.Background()

	wait, err := a.Reserve(ctx, "ortto", 20, 1)
	require.NoError(t, err)
	assert.Zero(t, wait, "the first token is free")
	wait, err = b.Reserve(ctx, "ortto", 20, 1)
	require.NoError(t, err)
	assert.Positive(t, wait, "A took the token B wanted")
	assert.LessOrEqual(t, wait, 50*time.Millisecond, "the next comes within one interval")
	wait, err = b.Reserve(ctx, "cordial", 20, 1)
	require.NoError(t, err)
	assert.Zero(t, wait, "each vendor has its own budget")

	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	end := time.Now().Add(time.Second)
	for _, l := range []*sharedstate.RateLimiter{a, b, a, b} {
		wg.Go(func() {
			for time.Now().Before(end) {
				wait, err := l.Reserve(ctx, "apptivo", 20, 1)
				if !assert.NoError(t, err) {
					return
				}
				if wait == 0 {
					mu.Lock()
					granted++
					mu.Unlock()
					continue
				}
				time.Sleep(min(wait, time.Until(end)))
			}
		})
	}
	wg.Wait()
	// 20 req/s for a second, plus the burst of one; each replica alone
	// would have had 21. (How many a busy machine manages to take is no
	// property of the budget: only the ceiling is asserted.)
	assert.LessOrEqual(t, granted, 21)
	assert.Positive(t, granted)

	keys, err := rs.Client(t).Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.Contains(t, keys, "rate:test:ratelimit:apptivo")
}

// TestRateLimiterTakesFractionalRates: 2.5 req/s is a token every 400 ms.
func TestRateLimiterTakesFractionalRates(t *testing.T) {
	rs := redistest.Start(t)
	l := sharedstate.NewRateLimiter(rs.Client(t), "")
	ctx := context.Background()
	wait, err := l.Reserve(ctx, "ortto", 2.5, 1)
	require.NoError(t, err)
	require.Zero(t, wait)
	wait, err = l.Reserve(ctx, "ortto", 2.5, 1)
	require.NoError(t, err)
	assert.InDelta(t, 400*time.Millisecond, wait, float64(50*time.Millisecond))
}

// TestRateLimiterReportsAnUnreachableRedis: an error, never a grant, so
// that the limit layer falls back to the replica's share.
func TestRateLimiterReportsAnUnreachableRedis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	_, err = sharedstate.NewRateLimiter(c, "").Reserve(context.Background(), "ortto", 10, 1)
	assert.Error(t, err)
}
