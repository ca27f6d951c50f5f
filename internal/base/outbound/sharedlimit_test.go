package outbound_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// fakeBudget is an in-memory outbound.SharedLimiter: the GCRA that
// sharedstate.RateLimiter runs in Redis, one budget for every chain given
// it, as one Redis is for every replica. down makes it fail like an
// unreachable Redis.
type fakeBudget struct {
	mu   sync.Mutex
	tat  time.Time // theoretical arrival time of the next request
	down bool
	asks int
}

func (f *fakeBudget) Reserve(_ context.Context, _ string, perSecond float64, burst int) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asks++
	if f.down {
		return 0, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	}
	interval := time.Duration(float64(time.Second) / perSecond)
	now := time.Now()
	tat := f.tat
	if tat.Before(now) {
		tat = now
	}
	tat = tat.Add(interval)
	if over := tat.Sub(now) - interval*time.Duration(burst); over > 0 {
		return over, nil
	}
	f.tat = tat
	return 0, nil
}

func (f *fakeBudget) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *fakeBudget) askCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asks
}

// stamps records when the vendor received each request.
type stamps struct {
	mu sync.Mutex
	at []time.Time
}

func (s *stamps) add() {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

func (s *stamps) sorted() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.at)
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// maxIn is the most requests received within any window of length w.
func maxIn(at []time.Time, w time.Duration) int {
	most := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < w; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// syncBuffer is a log sink safe for the pump's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sendAll sends n distinct calls per chain, all at once, and fails the
// test on any error.
func sendAll(t *testing.T, url string, n int, chains ...*outbound.Chain) {
	t.Helper()
	var wg sync.WaitGroup
	for ci, c := range chains {
		for i := range n {
			wg.Go(func() { assert.Nil(t, callAs(t, context.Background(), c, url, "c"+string(rune('a'+ci)), i)) })
		}
	}
	wg.Wait()
}

// TestSharedRateLimitHoldsAcrossReplicas: three chains (replicas) at 40
// req/s each, sharing one budget, send the vendor 40 req/s between them,
// not 120.
func TestSharedRateLimitHoldsAcrossReplicas(t *testing.T) {
	got := &stamps{}
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) { got.add() })
	budget := &fakeBudget{}
	var replicas []*outbound.Chain
	for range 3 {
		c := newChain(t, outbound.ChainOptions{RatePerSecond: 40, NoDedup: true, Shared: budget})
		assert.Equal(t, outbound.RateLimitShared, c.RateLimitMode())
		replicas = append(replicas, c)
	}
	sendAll(t, v.URL, 10, replicas...)

	at := got.sorted()
	require.Len(t, at, 30)
	// 40 req/s with a burst of 1: a request every 25 ms, at most 11 in
	// 250 ms. Each replica alone would send its 10 in 225 ms.
	assert.LessOrEqual(t, maxIn(at, 250*time.Millisecond), 11, "requests in the busiest 250 ms")
	assert.GreaterOrEqual(t, at[len(at)-1].Sub(at[0]), 29*25*time.Millisecond*9/10, "30 requests at 40 req/s")
}

// TestSharedRateLimitKeepsClientsFair: with the shared budget as the
// bottleneck, a client that queued twenty calls first still does not
// make a later client's one call wait behind them all.
func TestSharedRateLimitKeepsClientsFair(t *testing.T) {
	got := &arrivals{}
	v := newVendor(t, func(_ http.ResponseWriter, r *http.Request, _ int) { got.add(r.URL.Query().Get("c")) })
	budget := &fakeBudget{}
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 50, NoDedup: true, Shared: budget})

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { assert.Nil(t, callAs(t, context.Background(), c, v.URL, "heavy", i)) })
	}
	require.Eventually(t, func() bool { return len(got.snapshot()) >= 2 }, 2*time.Second, time.Millisecond)
	assert.Nil(t, callAs(t, context.Background(), c, v.URL, "light", 0))
	wg.Wait()

	order := got.snapshot()
	require.Len(t, order, 21)
	light := slices.Index(order, "light")
	assert.LessOrEqual(t, light, 6, "light waited behind %d heavy calls: %v", light, order)
}

// TestSharedRateLimitRefusesWhatCannotMakeItsDeadline: when another
// replica has taken the shared budget's token and the next comes after a
// request's deadline, the request fails at once as rate limited, without
// reaching the vendor, though this replica's own limiter has a token.
func TestSharedRateLimitRefusesWhatCannotMakeItsDeadline(t *testing.T) {
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) {})
	budget := &fakeBudget{}
	// Another replica takes the only token of a 0.5 req/s budget.
	wait, err := budget.Reserve(context.Background(), "acme", 0.5, 1)
	require.NoError(t, err)
	require.Zero(t, wait)
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 0.5, NoDedup: true, Shared: budget})

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	e := callAs(t, ctx, c, v.URL, "late", 0)
	require.NotNil(t, e)
	assert.Equal(t, outbound.KindRateLimited, e.Kind, e.Error())
	assert.Greater(t, e.RetryAfter, time.Second, "the shared budget's next token is about 2 s away")
	assert.Less(t, time.Since(start), 150*time.Millisecond, "refused at once, not at the deadline")
	assert.Zero(t, v.count())
}

// TestSharedRateLimitFallsBackToReplicaShare: while the shared budget
// fails, a replica keeps RatePerSecond/Replicas alone, asks the budget
// again only once per probe period, logs the switch once each way, and
// says so in its mode.
func TestSharedRateLimitFallsBackToReplicaShare(t *testing.T) {
	got := &stamps{}
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) { got.add() })
	budget := &fakeBudget{down: true}
	logs := &syncBuffer{}
	c := newChain(t, outbound.ChainOptions{
		RatePerSecond: 80, Replicas: 4, NoDedup: true, Shared: budget,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})

	sendAll(t, v.URL, 10, c)
	at := got.sorted()
	require.Len(t, at, 10)
	// Its share is 20 req/s (one request every 50 ms), not 80.
	assert.GreaterOrEqual(t, at[len(at)-1].Sub(at[0]), 9*50*time.Millisecond*9/10)
	assert.Equal(t, outbound.RateLimitFallback, c.RateLimitMode())
	assert.Equal(t, 1, budget.askCount(), "asked once, then paced locally until the next probe")
	assert.Equal(t, 1, strings.Count(logs.String(), "shared rate limit unreachable"), logs.String())
	assert.EqualValues(t, 1, c.RateLimitFallbacks())

	budget.setDown(false)
	outbound.ProbeSharedNow(c)
	sendAll(t, v.URL, 3, c)
	assert.Equal(t, outbound.RateLimitShared, c.RateLimitMode())
	assert.Equal(t, 1, strings.Count(logs.String(), "shared rate limit reachable again"), logs.String())
	assert.GreaterOrEqual(t, budget.askCount(), 1+3, "every turn asks the shared budget again")
	assert.EqualValues(t, 1, c.RateLimitFallbacks())
}

// TestReplicasWithoutSharedBudgetKeepTheirShare: with no shared budget,
// each of Replicas replicas keeps RatePerSecond/Replicas.
func TestReplicasWithoutSharedBudgetKeepTheirShare(t *testing.T) {
	got := &stamps{}
	v := newVendor(t, func(http.ResponseWriter, *http.Request, int) { got.add() })
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 80, Replicas: 4, NoDedup: true})
	assert.Equal(t, outbound.RateLimitLocal, c.RateLimitMode())
	sendAll(t, v.URL, 8, c)
	at := got.sorted()
	require.Len(t, at, 8)
	assert.GreaterOrEqual(t, at[len(at)-1].Sub(at[0]), 7*50*time.Millisecond*9/10)

	assert.Equal(t, outbound.RateLimitUnlimited, newChain(t, outbound.ChainOptions{NoDedup: true}).RateLimitMode())
}
