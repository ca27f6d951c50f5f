package outbound

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// Calls is one request's ledger of vendor calls: what it asked for, by
// vendor, and the most it may ask for. The call-budget layer is the one
// place that writes it; the gateway reads it for the cost extension
// (calls made, by vendor) and sets the budget per operation. Safe for
// concurrent use: a request's resolvers call vendors concurrently.
type Calls struct {
	mu    sync.Mutex
	max   int // 0: no budget
	asked int // refused calls included
	made  map[string]int
}

type callsKey struct{}

// WithCalls returns ctx carrying c, so that every vendor call made under
// it is counted there.
func WithCalls(ctx context.Context, c *Calls) context.Context {
	return context.WithValue(ctx, callsKey{}, c)
}

// CallsFrom returns the ledger ctx carries, or nil.
func CallsFrom(ctx context.Context) *Calls {
	c, _ := ctx.Value(callsKey{}).(*Calls)
	return c
}

// WithCallBudget returns ctx whose ledger allows max vendor calls for
// everything done under it (max <= 0 sets none). The ledger ctx already
// carries is used when there is one, so that the cost extension and the
// budget count the same calls. The gateway sets a budget per operation,
// so that one query cannot spend a vendor's whole rate limit however its
// cost was estimated beforehand.
func WithCallBudget(ctx context.Context, max int) context.Context {
	if max <= 0 {
		return ctx
	}
	c := CallsFrom(ctx)
	if c == nil {
		c = &Calls{}
		ctx = WithCalls(ctx, c)
	}
	c.mu.Lock()
	c.max = max
	c.mu.Unlock()
	return ctx
}

// CallsMade is how many vendor calls were asked for under ctx's ledger,
// refused ones included (0 without one).
func CallsMade(ctx context.Context) int {
	c := CallsFrom(ctx)
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.asked
}

// Made returns the calls that went ahead (not refused by the budget), by
// vendor.
func (c *Calls) Made() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.made))
	for v, n := range c.made {
		out[v] = n
	}
	return out
}

// take records one call to vendor and reports whether the budget allows
// it.
func (c *Calls) take(vendor string) (ok bool, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked++
	if c.max > 0 && c.asked > c.max {
		return false, c.max
	}
	if c.made == nil {
		c.made = map[string]int{}
	}
	c.made[vendor]++
	return true, c.max
}

// budgetTransport counts each call a request makes in the ledger its
// context carries and refuses, with KindBudgetExceeded and without
// calling the vendor, every call past the budget. It sits outside
// observation, dedup and retry, so that a call counts once as its caller
// made it: retries are not calls, and a read shared with another request
// in flight (dedup) still counts for each request that asked. It sits
// inside the read cache: a reply served from the cache is no call.
type budgetTransport struct {
	next   http.RoundTripper
	vendor string
}

func newBudgetTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	return &budgetTransport{next: next, vendor: opts.Vendor}
}

// RoundTrip implements http.RoundTripper.
func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if c := CallsFrom(req.Context()); c != nil {
		if ok, max := c.take(t.vendor); !ok {
			return nil, &Error{
				Vendor:  t.vendor,
				Kind:    KindBudgetExceeded,
				Message: fmt.Sprintf("the request has made the %d vendor calls it may make", max),
			}
		}
	}
	return t.next.RoundTrip(req)
}
