package outbound

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFairQueueServesClientsInTurn drives the queue by hand with one
// concurrency slot and no rate, so the order is exact: with a's three
// calls queued before b's two, turns go a b a b a, not a a a b b.
func TestFairQueueServesClientsInTurn(t *testing.T) {
	q := &fairQueue{maxInFlight: 1, queues: map[string][]*turn{}, wake: make(chan struct{}, 1)}
	hold, err := q.acquire(context.Background())
	require.NoError(t, err)

	type grant struct {
		name    string
		release func()
	}
	granted := make(chan grant)
	waiting := func() int {
		q.mu.Lock()
		defer q.mu.Unlock()
		return q.waiting
	}
	enqueue := func(client, name string, want int) {
		go func() {
			rel, err := q.acquire(WithHooks(context.Background(), Hooks{Client: client}))
			assert.NoError(t, err)
			granted <- grant{name, rel}
		}()
		require.Eventually(t, func() bool { return waiting() == want }, time.Second, time.Millisecond)
	}
	enqueue("a", "a1", 1)
	enqueue("a", "a2", 2)
	enqueue("a", "a3", 3)
	enqueue("b", "b1", 4)
	enqueue("b", "b2", 5)

	var order []string
	release := hold
	for range 5 {
		release()
		g := <-granted
		order = append(order, g.name)
		release = g.release
	}
	release()
	assert.Equal(t, []string{"a1", "b1", "a2", "b2", "a3"}, order)
	assert.Eventually(t, func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		return !q.pumping && q.inFlight == 0
	}, time.Second, time.Millisecond, "the pump stops once nobody waits")
}
