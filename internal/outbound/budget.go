package outbound

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
)

// callBudget is how many vendor calls one client request may make, and
// how many it has asked for so far, across every vendor.
type callBudget struct {
	max  int64
	used atomic.Int64
}

type budgetKey struct{}

// WithCallBudget returns ctx carrying a budget of max vendor calls for
// everything done under it; max <= 0 sets none. The gateway sets one per
// operation, so that one query cannot spend a vendor's whole rate limit
// however its cost was estimated beforehand.
func WithCallBudget(ctx context.Context, max int) context.Context {
	if max <= 0 {
		return ctx
	}
	return context.WithValue(ctx, budgetKey{}, &callBudget{max: int64(max)})
}

// CallsMade is how many vendor calls were asked for under ctx's budget,
// refused ones included (0 without a budget).
func CallsMade(ctx context.Context) int {
	if b, ok := ctx.Value(budgetKey{}).(*callBudget); ok {
		return int(b.used.Load())
	}
	return 0
}

// budgetTransport is the chain's outermost layer: it counts each call a
// request makes against the budget its context carries and refuses, with
// KindBudgetExceeded and without calling the vendor, every call past it.
// Outermost, so that a call counts once as its caller made it: retries
// are not calls, and a read shared with another request in flight (dedup)
// still counts for each request that asked.
type budgetTransport struct {
	next   http.RoundTripper
	vendor string
}

func newBudgetTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	return &budgetTransport{next: next, vendor: opts.Vendor}
}

// RoundTrip implements http.RoundTripper.
func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if b, ok := req.Context().Value(budgetKey{}).(*callBudget); ok && b.used.Add(1) > b.max {
		return nil, &Error{
			Vendor:  t.vendor,
			Kind:    KindBudgetExceeded,
			Message: fmt.Sprintf("the request has made the %d vendor calls it may make", b.max),
		}
	}
	return t.next.RoundTrip(req)
}
