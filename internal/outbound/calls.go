package outbound

import (
	"context"
	"sync"
)

// CallCounter counts the vendor calls made under one context, by vendor:
// each call the chain's outermost layer sees counts once, retries not
// again, a read shared with another caller's call in flight included
// (it is a call this request made; the vendor answered it once for both).
// Safe for concurrent use.
type CallCounter struct {
	mu sync.Mutex
	n  map[string]int
}

type callCounterKey struct{}

// WithCallCounter has the chain count in c every vendor call made under
// the returned context.
func WithCallCounter(ctx context.Context, c *CallCounter) context.Context {
	return context.WithValue(ctx, callCounterKey{}, c)
}

func (c *CallCounter) add(vendor string) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[vendor]++
	c.mu.Unlock()
}

// Counts returns the calls counted so far, by vendor.
func (c *CallCounter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for v, n := range c.n {
		out[v] = n
	}
	return out
}

// countCall counts one call to vendor in ctx's CallCounter, if any.
func countCall(ctx context.Context, vendor string) {
	if c, ok := ctx.Value(callCounterKey{}).(*CallCounter); ok {
		c.add(vendor)
	}
}
