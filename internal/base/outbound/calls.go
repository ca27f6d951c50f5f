package outbound

import (
	"fmt"
	"net/http"
	"sync"
)

// Calls is one request's ledger of vendor calls, carried in its Hooks:
// the calls it asked for, by vendor, and the most it may make. The gateway
// creates it once per request; the chain is the one place that writes it
// (the write fence counts every call asked for, the budget layer spends
// the budget); the cost report and the budget read it. Safe for concurrent
// use: a request's resolvers call vendors concurrently.
type Calls struct {
	mu sync.Mutex
	// max is the budget, 0 for none.
	max int
	// spent counts the calls the budget layer saw, refused ones included.
	spent int
	// asked counts, by vendor, every call the request asked for: served
	// from the read cache, shared with another request in flight, or sent.
	// It depends on the request alone, never on what other clients did
	// (a count of the calls sent would tell a client whether someone else
	// had read the same record recently), so it is what the cost report
	// shows, and what the plan predicts.
	asked map[string]int
}

// SetBudget lets the request make at most max vendor calls (0 or less: no
// budget). A reply served from the read cache is no call and spends
// nothing; a read shared with another request in flight spends one call
// for each request; a retry is not a call.
func (c *Calls) SetBudget(max int) {
	c.mu.Lock()
	c.max = max
	c.mu.Unlock()
}

// Spent is how many calls reached the budget, refused ones included.
func (c *Calls) Spent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spent
}

// Asked returns the calls the request asked for, by vendor (see asked).
func (c *Calls) Asked() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.asked))
	for v, n := range c.asked {
		out[v] = n
	}
	return out
}

func (c *Calls) ask(vendor string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.asked == nil {
		c.asked = map[string]int{}
	}
	c.asked[vendor]++
}

// spend records one call to the vendor and reports whether the budget
// allows it.
func (c *Calls) spend() (ok bool, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spent++
	return c.max <= 0 || c.spent <= c.max, c.max
}

// budgetTransport spends the request's call budget (Hooks.Ledger) and
// refuses, with KindBudgetExceeded and without calling the vendor, every
// call past it. It sits outside observation, dedup and retry, so that a
// call counts once as its caller made it: retries are not calls, and a
// read shared with another request in flight (dedup) still counts for
// each request that asked. It sits inside the read cache: a reply served
// from the cache is no call.
type budgetTransport struct {
	next   http.RoundTripper
	vendor string
}

func newBudgetTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	return &budgetTransport{next: next, vendor: opts.Vendor}
}

// RoundTrip implements http.RoundTripper.
func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := hooksOf(req.Context()); h != nil && h.Ledger != nil {
		if ok, max := h.Ledger.spend(); !ok {
			return nil, &Error{
				Vendor:  t.vendor,
				Kind:    KindBudgetExceeded,
				Message: fmt.Sprintf("the request has made the %d vendor calls it may make", max),
			}
		}
	}
	return t.next.RoundTrip(req)
}
