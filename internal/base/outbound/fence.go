package outbound

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
)

// Generations is a vendor's write generation shared by every replica
// (sharedstate.CacheStore in Redis): Advance moves it on after a write,
// Current reads it before a read. The fence gives it to reads when the
// chain has no shared read cache that already reads it (the cache's Get
// returns the same generation in the same round trip).
type Generations interface {
	Current(ctx context.Context, vendor string) (string, error)
	Advance(ctx context.Context, vendor string) error
}

// fenceTransport is the chain's outermost layer. It orders reads after
// writes: a read that starts after a write to the same vendor came back
// must never be answered by a vendor call that began before that write,
// whether from the read cache or by joining an identical read in flight
// (dedup). Without it, a read-modify-write update (Cordial's PUT needs the
// list's name; Apptivo's update sends the whole record) could read the
// record of a call that began before the last change and write the old
// values back: a lost update at the vendor.
//
// It keeps the vendor's local write epoch, moved on when any request that
// is not a read comes back (answered or failed: a write whose outcome is
// unknown may have happened), before its caller sees the reply. Each read
// carries a readCall (one value in its context, for the layers below):
// its request key, computed once for the cache and dedup, the epoch it
// started in and the shared generation it saw. Dedup shares a call only
// among reads of the same key, epoch and generation, so a read never joins
// a call older than the last write this replica made, nor, with a shared
// generation (Redis), older than the last write any replica made. The
// cache stores a reply only if no write came back while it was fetched.
//
// A fresh read (FreshRead) takes neither path: it reads past the cache
// and never shares a call, for the read of a read-modify-write.
type fenceTransport struct {
	next http.RoundTripper
	// aux is the chain without the layers that treat a request as a
	// vendor operation (see AuxiliaryTransport).
	aux    http.RoundTripper
	vendor string
	logger *slog.Logger
	epoch  *atomic.Uint64
	// gens is the shared generation, when the chain has one and no shared
	// cache reads it already (nil otherwise).
	gens Generations
}

func newFenceTransport(next, aux http.RoundTripper, opts ChainOptions, epoch *atomic.Uint64) http.RoundTripper {
	f := &fenceTransport{next: next, aux: aux, vendor: opts.Vendor, logger: opts.Logger, epoch: epoch}
	if opts.Cache.Store == nil {
		f.gens = opts.Generations
	}
	return f
}

// readCall is what the fence learns of a read for the layers below it.
type readCall struct {
	key   string // requestKey: method, URL, credentials, body
	epoch uint64 // the local write epoch when the read started
	// gen is the shared generation the read saw: filled by the fence from
	// Generations or by the cache from its Get; "" without either, "?"
	// when it could not be read (then only the local epoch fences).
	gen   string
	fresh bool
}

// shareKey is the dedup key: reads share a call only within one epoch and
// generation.
func (c *readCall) shareKey() string {
	return c.key + "\x00" + strconv.FormatUint(c.epoch, 10) + "\x00" + c.gen
}

func readCallFrom(req *http.Request) *readCall { return callOf(req.Context()).read }

// RoundTrip implements http.RoundTripper.
func (f *fenceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := hooksOf(req.Context()); h != nil && h.Ledger != nil {
		h.Ledger.ask(f.vendor)
	}
	if !IsRead(req) {
		resp, err := f.next.RoundTrip(req)
		if f.gens != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), storeTimeout)
			if aerr := f.gens.Advance(sctx, f.vendor); aerr != nil {
				f.logger.ErrorContext(req.Context(), "shared write generation: advancing after a write failed; other replicas may share an older read in flight", "vendor", f.vendor, "error", aerr)
			}
			cancel()
		}
		f.epoch.Add(1)
		return resp, err
	}
	key, err := requestKey(req)
	if err != nil {
		return nil, err
	}
	rc := &readCall{key: key, epoch: f.epoch.Load(), fresh: isFresh(req)}
	if f.gens != nil && !rc.fresh {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), storeTimeout)
		g, gerr := f.gens.Current(sctx, f.vendor)
		cancel()
		if gerr != nil {
			g = "?"
		}
		rc.gen = g
	}
	return f.next.RoundTrip(req.WithContext(withCall(req.Context(), func(c *call) { c.read = rc })))
}

// AuxiliaryTransport is the part of hc's chain for requests that are no
// vendor operation, such as an OAuth token fetch: observed, paced by the
// vendor's limits, guarded by its breaker and bounded like any call, but
// never a read or a write to the layers above (no write fence, cache,
// invalidation, call budget or dedup). Treated as a write, every token
// refresh invalidated the vendor's cache on every replica. For an
// *http.Client not built by NewChain, it is hc's transport.
func AuxiliaryTransport(hc *http.Client) http.RoundTripper {
	if hc != nil {
		if f, ok := hc.Transport.(*fenceTransport); ok {
			return f.aux
		}
	}
	return Base(hc)
}

// AuthorizedAs tells the chain who a request's credentials are, as a
// stable identity (a hash of the client id and configuration): the read
// cache and dedup then key the request by it rather than by its
// credential headers. A vendor whose auth layer puts a short-lived token
// on each request (an OAuth bearer) sets it, so that replicas, each with
// its own token, and a token refresh, still share entries. Requests with
// other credentials never share: the identity names them.
func AuthorizedAs(ctx context.Context, identity string) context.Context {
	return withCall(ctx, func(c *call) { c.identity = identity })
}
