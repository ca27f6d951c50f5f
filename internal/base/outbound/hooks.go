package outbound

import "context"

// Hooks are what one client request tells the vendor chains about itself,
// and how they report back to it: one typed value in the request's
// context, as net/http/httptrace's ClientTrace is, rather than a context
// key per fact. The gateway sets them once per request (WithHooks); a
// layer above the chain that needs to hear something for a narrower scope
// (a field's stale replies) copies them, changes its part and sets the
// copy, the way httptrace composes traces.
type Hooks struct {
	// Client names the client on whose behalf the calls are made, for fair
	// queueing at the vendors' limits; opaque (the gateway passes
	// auth.Principal.Identity()). Calls without one share a single queue.
	Client string
	// Ledger is the request's record of vendor calls and its budget (see
	// Calls); nil records nothing and sets no budget.
	Ledger *Calls
	// Stale is told of every reply the read cache served stale because
	// the vendor failed, so that the GraphQL layer can say which fields
	// hold stale data; nil tells no one.
	Stale func(StaleServe)
}

type hooksKey struct{}

// WithHooks returns ctx carrying h for every vendor call made under it.
func WithHooks(ctx context.Context, h Hooks) context.Context {
	return context.WithValue(ctx, hooksKey{}, &h)
}

// HooksFrom returns the hooks ctx carries (the zero Hooks when none).
func HooksFrom(ctx context.Context) Hooks {
	if h, ok := ctx.Value(hooksKey{}).(*Hooks); ok {
		return *h
	}
	return Hooks{}
}

func hooksOf(ctx context.Context) *Hooks {
	h, _ := ctx.Value(hooksKey{}).(*Hooks)
	return h
}

// call is what one vendor call carries through the chain of itself: set
// by the vendor client (its operation, whether it is a read, whose
// credentials it bears) and by the fence (the read's key and epoch), in
// one context value.
type call struct {
	op       string
	mode     readMode
	identity string    // AuthorizedAs; "" keys by credential headers
	read     *readCall // set by the fence for reads
}

type callKey struct{}

func callOf(ctx context.Context) call {
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		return *c
	}
	return call{}
}

// withCall returns ctx with the call's facts changed by set.
func withCall(ctx context.Context, set func(*call)) context.Context {
	c := callOf(ctx)
	set(&c)
	return context.WithValue(ctx, callKey{}, &c)
}
