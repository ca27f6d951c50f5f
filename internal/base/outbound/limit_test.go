package outbound_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// arrivals records which client each request the vendor received came
// from, in order.
type arrivals struct {
	mu    sync.Mutex
	order []string
}

func (a *arrivals) add(c string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.order = append(a.order, c)
}

func (a *arrivals) snapshot() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slicesClone(a.order)
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// callAs sends a distinct mutation (nothing shared, nothing retried) as
// client through c.
func callAs(t *testing.T, ctx context.Context, c *outbound.Chain, url, client string, i int) *outbound.Error {
	t.Helper()
	return call(t, outbound.WithHooks(ctx, outbound.Hooks{Client: client}), c, "POST", url+"?c="+client, `{"i":`+strconv.Itoa(i)+`}`)
}

// TestRateLimitIsFairBetweenClients: with the rate limit as the
// bottleneck, a client that queued twenty calls first does not make a
// later client's one call wait behind all twenty: waiting clients are
// served round-robin, so the late call goes within a round or two.
func TestRateLimitIsFairBetweenClients(t *testing.T) {
	got := &arrivals{}
	v := newVendor(t, func(_ http.ResponseWriter, r *http.Request, _ int) { got.add(r.URL.Query().Get("c")) })
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 50, NoDedup: true})

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { assert.Nil(t, callAs(t, context.Background(), c, v.URL, "heavy", i)) })
	}
	require.Eventually(t, func() bool { return len(got.snapshot()) >= 2 }, 2*time.Second, time.Millisecond)
	assert.Nil(t, callAs(t, context.Background(), c, v.URL, "light", 0))
	wg.Wait()

	order := got.snapshot()
	require.Len(t, order, 21)
	light := -1
	for i, client := range order {
		if client == "light" {
			light = i
		}
	}
	// About two heavy calls had gone when light queued; FIFO would put it
	// after all twenty.
	assert.LessOrEqual(t, light, 6, "light waited behind %d heavy calls: %v", light, order)
}

// TestQueuedCallerLeavingKeepsTheQueueMoving: a waiter whose context ends
// is taken out of its client's queue and the others are still served;
// the pump stops once nobody waits (goleak checks at the end).
func TestQueuedCallerLeavingKeepsTheQueueMoving(t *testing.T) {
	got := &arrivals{}
	v := newVendor(t, func(_ http.ResponseWriter, r *http.Request, _ int) { got.add(r.URL.Query().Get("c")) })
	c := newChain(t, outbound.ChainOptions{RatePerSecond: 50, NoDedup: true})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() { _ = callAs(t, ctx, c, v.URL, "quitter", i) })
	}
	for i := range 3 {
		wg.Go(func() { assert.Nil(t, callAs(t, context.Background(), c, v.URL, "stayer", i)) })
	}
	require.Eventually(t, func() bool { return len(got.snapshot()) >= 1 }, 2*time.Second, time.Millisecond)
	cancel()
	wg.Wait()
	assert.Equal(t, 3, strings.Count(strings.Join(got.snapshot(), ","), "stayer"))
	assert.Less(t, strings.Count(strings.Join(got.snapshot(), ","), "quitter"), 5)
}
