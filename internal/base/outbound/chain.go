package outbound

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ChainOptions configure one vendor's outbound chain. Every zero value
// means the documented default, so ChainOptions{Vendor: "x"} is a usable
// chain.
type ChainOptions struct {
	// Vendor names the vendor in errors, metrics and spans (default
	// Descriptor.Name).
	Vendor string
	// Descriptor is how the vendor's replies are read: the retry layer
	// retries a read whose reply Descriptor.Check calls Retryable, after
	// its RetryAfter. The zero value reads status codes only
	// (defaultCheck).
	Descriptor Vendor
	// Timeout bounds one attempt at a vendor call, from sending the request
	// to the last byte of the body (default DefaultTimeout, 5s). Retries and the waits
	// between them, and queueing for the client-side limits, are not
	// included: the request's own deadline bounds those.
	Timeout time.Duration
	// MaxConns bounds the connections to the vendor (default MaxConcurrent).
	MaxConns int
	// MaxReplyBytes bounds each reply of the vendor, enforced while it is
	// read (default DefaultMaxReplyBytes; at most 64 MiB). See replyLimit.
	MaxReplyBytes int64
	// NoDedup turns off sharing of identical reads in flight.
	NoDedup bool
	// Cache is the read cache (see cacheTransport); a nil Cache.Store
	// leaves it out of the chain.
	Cache CacheOptions
	// Generations is the vendor's write generation shared by every
	// replica, for dedup when there is no shared Cache.Store (which keeps
	// the same generation): a read never shares a call that began before
	// a write any replica made (see fenceTransport). Nil: only this
	// replica's writes fence its reads.
	Generations Generations

	// RetryAttempts is the most attempts one read gets, the first one
	// included (default 3; 1 turns retries off). Mutations get one attempt
	// whatever this says.
	RetryAttempts int
	// RetryBase and RetryMax shape the exponential backoff between
	// attempts: the n-th wait is uniform in [0, min(RetryMax,
	// RetryBase·2ⁿ⁻¹)] (defaults 100ms and 2s).
	RetryBase, RetryMax time.Duration

	// RatePerSecond is the most requests per second the gateway sends the
	// vendor (0: unlimited). Requests over it queue rather than earn 429s.
	RatePerSecond float64
	// Burst is how many requests may go at once above the steady rate
	// (default 1: a 10 req/s limit sends one request every 100ms, which a
	// vendor counting per second can never see as 11).
	Burst int
	// MaxConcurrent bounds the requests in flight to the vendor, bodies
	// included (default 16; negative: unlimited).
	MaxConcurrent int
	// Shared, when set, makes RatePerSecond one budget for every replica
	// (see SharedLimiter); nil leaves each replica to keep its share.
	Shared SharedLimiter
	// Replicas is how many replicas share the vendor: without Shared, or
	// while it is unreachable, each keeps RatePerSecond/Replicas
	// (default 1).
	Replicas int

	// BreakerFailures is how many consecutive failed calls (transport
	// errors, 5xx) open the circuit breaker (default 5).
	BreakerFailures int
	// BreakerOpen is how long an open breaker fails fast before it lets one
	// probe through (default 10s).
	BreakerOpen time.Duration

	// Logger receives breaker state changes (default slog.Default()).
	Logger *slog.Logger

	// Observer is told the outcome of every call and every attempt on the
	// wire, for metrics (default: none).
	Observer Observer
	// TracerProvider makes the spans of calls and attempts, and Propagator
	// writes the attempt's span context into its headers (traceparent)
	// (defaults: otel's global provider and propagator, which are no-ops
	// until telemetry installs real ones).
	TracerProvider trace.TracerProvider
	Propagator     propagation.TextMapPropagator
}

// Defaults for ChainOptions' zero values.
const (
	DefaultRetryAttempts   = 3
	DefaultRetryBase       = 100 * time.Millisecond
	DefaultRetryMax        = 2 * time.Second
	DefaultMaxConcurrent   = 16
	DefaultBreakerFailures = 5
	DefaultBreakerOpen     = 10 * time.Second
	// DefaultTimeout bounds one attempt at a vendor call, body included.
	DefaultTimeout = 5 * time.Second
)

func (o ChainOptions) withDefaults() ChainOptions {
	if o.Vendor == "" {
		o.Vendor = o.Descriptor.Name
	}
	if o.Descriptor.Name == "" {
		o.Descriptor.Name = o.Vendor
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxReplyBytes <= 0 {
		o.MaxReplyBytes = DefaultMaxReplyBytes
	}
	o.MaxReplyBytes = min(o.MaxReplyBytes, maxBodyBytes)
	if o.RetryAttempts <= 0 {
		o.RetryAttempts = DefaultRetryAttempts
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.RetryMax <= 0 {
		o.RetryMax = DefaultRetryMax
	}
	if o.RetryMax < o.RetryBase {
		o.RetryMax = o.RetryBase
	}
	if o.RatePerSecond < 0 {
		o.RatePerSecond = 0
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	if o.MaxConcurrent == 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.MaxConns <= 0 && o.MaxConcurrent > 0 {
		o.MaxConns = o.MaxConcurrent
	}
	if o.BreakerFailures <= 0 {
		o.BreakerFailures = DefaultBreakerFailures
	}
	if o.BreakerOpen <= 0 {
		o.BreakerOpen = DefaultBreakerOpen
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Chain is one vendor's outbound transport stack, shared by every request
// to that vendor (outermost first):
//
//	(vendor client's auth)
//	→ write fence: a read never answered by a call, cached or in flight,
//	  that began before a write that came back before the read started
//	→ read cache, when configured: fresh replies without the vendor,
//	  stale ones when it fails; mutations invalidate the vendor's entries
//	→ call budget: refuse a request's calls past its budget
//	→ observe: a span and a metric per call, as the caller saw it
//	→ dedup of identical reads in flight
//	→ circuit breaker: fail fast while the vendor is down
//	→ retry: reads only, on connection errors and replies the vendor's
//	  Check calls Retryable (429 and 502/503/504 by default)
//	→ concurrency limit, then rate limit: queue rather than earn 429s,
//	  waiting clients served round-robin (WithClient); the rate shared
//	  by every replica when Shared is set
//	→ attempt timeout: the vendor timeout, per attempt, body included
//	→ reply limit: a reply past MaxReplyBytes fails while it is read
//	→ wire: a client span per attempt, its traceparent sent to the vendor
//	→ tuned http.Transport
//
// The breaker sits outside retry so that one retried sequence is one
// outcome; the limits sit inside it so that every attempt is paced.
// Observation sits outside dedup so that every caller's call is counted
// and traced, shared or not; the wire span sits innermost so that each
// retry is its own span and carries its own traceparent. A
// vendor client is built with Client() and tells the layers only what
// only it knows, through its requests' contexts: the operation's name
// (Client.Do), that a POST is a read (IdempotentRead) or that a read must
// be fresh (FreshRead), whose credentials a request bears (AuthorizedAs),
// and that a request is no vendor operation (AuxiliaryTransport).
// Callers must close response bodies (as net/http requires anyway): the
// concurrency slot and the breaker's verdict are released when the body is
// read to its end or closed.
type Chain struct {
	opts       ChainOptions
	client     *http.Client
	transport  *http.Transport
	dedup      *dedupTransport
	breaker    *breakerTransport
	limit      *limitTransport // nil: no limits
	cache      CacheStore
	cacheLayer *cacheTransport // nil: no cache
	// epoch counts the writes that came back (see fenceTransport).
	epoch atomic.Uint64
}

// NewChain builds the stack for one vendor.
func NewChain(opts ChainOptions) *Chain {
	opts = opts.withDefaults()
	c := &Chain{opts: opts}
	base := NewHTTPClient(TransportOptions{MaxConnsPerHost: opts.MaxConns, Timeout: opts.Timeout})
	c.transport, _ = base.Transport.(*http.Transport)
	var rt http.RoundTripper = base.Transport
	rt = newWireTransport(rt, opts)
	rt = newReplyLimit(rt, opts)
	rt = newAttemptTimeout(rt, opts.Timeout)
	rt = newLimitTransport(rt, opts)
	c.limit, _ = rt.(*limitTransport)
	rt = newRetryTransport(rt, opts)
	c.breaker = newBreakerTransport(rt, opts)
	rt = c.breaker
	// Requests that are no vendor operation (a token fetch) skip
	// everything above the breaker but observation (AuxiliaryTransport).
	aux := newObserveTransport(rt, opts)
	if !opts.NoDedup {
		c.dedup = newDedup(rt)
		rt = c.dedup
	}
	rt = newObserveTransport(rt, opts)
	rt = newBudgetTransport(rt, opts)
	// Outside budget and observation: a reply served from the cache is no vendor call, so it
	// spends no budget and makes no span, vendor metric or rate-limit
	// token below.
	rt = newCacheTransport(rt, opts, &c.epoch)
	c.cacheLayer, _ = rt.(*cacheTransport)
	c.cache = opts.Cache.Store
	// Outermost of all: reads are ordered after the writes that came back
	// before them, in the cache and in dedup alike.
	rt = newFenceTransport(rt, aux, rt, opts, &c.epoch)
	// No http.Client.Timeout: the vendor timeout bounds each attempt (see
	// attemptTimeout), and the request's own deadline bounds the whole
	// retried sequence, so a Retry-After of a second can be waited out
	// under a 300 ms vendor timeout when the request has time left.
	c.client = &http.Client{Transport: rt}
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

// InvalidateCache drops every cached reply of the vendor (on every
// replica sharing the store), for changes made outside Switchyard. It does
// nothing when the chain has no cache.
func (c *Chain) InvalidateCache(ctx context.Context) error {
	if c.cache == nil {
		return nil
	}
	if err := c.cache.Invalidate(ctx, c.opts.Vendor); err != nil {
		return err
	}
	if o, ok := c.opts.Observer.(CacheObserver); ok {
		o.ObserveCache(c.opts.Vendor, "invalidateCache", CacheInvalidate)
	}
	return nil
}

// CacheDegraded reports whether the read cache owes an invalidation the
// store refused (Redis down): the chain reads past the cache meanwhile,
// and other replicas may serve entries older than this replica's last
// write. For /readyz.
func (c *Chain) CacheDegraded() bool {
	return c.cacheLayer != nil && c.cacheLayer.unpublished.Load()
}

// BreakerState is the vendor's circuit breaker state, "closed", "open" or
// "half-open", for /readyz and metrics.
func (c *Chain) BreakerState() string { return c.breaker.cb.State().String() }

// RateLimitMode is how the vendor's rate limit is kept, for /readyz and
// metrics: RateLimitShared, RateLimitFallback, RateLimitLocal or
// RateLimitUnlimited.
func (c *Chain) RateLimitMode() string { return c.limit.mode() }

// RateLimitFallbacks counts the switches from the shared rate budget to
// this replica's share because the budget was unreachable.
func (c *Chain) RateLimitFallbacks() int64 {
	if c.limit == nil || c.limit.q.shared == nil {
		return 0
	}
	return c.limit.q.shared.fallbacks.Load()
}

// CloseIdleConnections closes the vendor's idle keep-alive connections,
// for graceful shutdown and tests.
func (c *Chain) CloseIdleConnections() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}
