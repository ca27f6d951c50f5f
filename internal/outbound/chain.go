package outbound

import (
	"net/http"
	"time"
)

// ChainOptions configure one vendor's outbound chain.
type ChainOptions struct {
	Vendor string
	// Timeout bounds one vendor call, body included.
	Timeout time.Duration
	// MaxConns bounds concurrent connections to the vendor.
	MaxConns int
	// NoDedup turns off sharing of identical reads in flight.
	NoDedup bool
}

// Chain is one vendor's outbound transport stack, shared by every request
// to that vendor:
//
//	(vendor client's auth) → dedup of identical reads → tuned http.Transport
//
// A vendor client is built with Client() and knows nothing of the layers.
type Chain struct {
	opts   ChainOptions
	client *http.Client
	dedup  *Dedup
}

// NewChain builds the stack for one vendor.
func NewChain(opts ChainOptions) *Chain {
	c := &Chain{opts: opts}
	base := NewHTTPClient(TransportOptions{MaxConnsPerHost: opts.MaxConns, Timeout: opts.Timeout})
	rt := base.Transport
	if !opts.NoDedup {
		c.dedup = NewDedup(rt)
		rt = c.dedup
	}
	c.client = &http.Client{Transport: rt, Timeout: base.Timeout}
	return c
}

// Client is the *http.Client to build the vendor client with.
func (c *Chain) Client() *http.Client { return c.client }

// DedupShared counts reads answered from another caller's call in flight.
func (c *Chain) DedupShared() int64 {
	if c.dedup == nil {
		return 0
	}
	return c.dedup.Shared()
}
