package outbound

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Generations is a vendor's write state shared by every replica
// (sharedstate.CacheStore in Redis): a generation that every write moves
// on when it starts and when it ends, and the writes in flight. The fence
// marks each write with BeginWrite and EndWrite, and, when the chain has
// no shared read cache that reads them already (the cache's Get returns
// both in the same round trip), asks Current before a read.
type Generations interface {
	// Current is the vendor's generation and whether a write to it is in
	// flight on any replica.
	Current(ctx context.Context, vendor string) (gen string, writing bool, err error)
	// BeginWrite moves the generation on and marks write id in flight
	// until EndWrite, or ttl at the latest (its replica may die).
	BeginWrite(ctx context.Context, vendor, id string, ttl time.Duration) error
	// EndWrite clears the mark of write id and moves the generation on.
	EndWrite(ctx context.Context, vendor, id string) error
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
// A write moves the vendor's write epoch on this replica when it starts
// and when it comes back (answered or failed: a write whose outcome is
// unknown may have happened), before its caller sees the reply; with a
// shared state (Redis) it moves the shared generation the same way and is
// marked in flight there. While a write to the vendor is in flight, on
// this replica or any other, a read is fresh: it neither takes a cached
// reply nor shares a call nor leaves its reply in the cache, because the
// vendor may apply the write at any moment of it, and a read that has
// seen the new record must never be followed by one served the old (the
// history checker, TestHistoriesAreLinearizable, found exactly that when
// only a write's end moved the epoch). Between writes, each read carries
// a readCall (one value in its context, for the layers below): its
// request key, computed once for the cache and dedup, the epoch it
// started in and the shared generation it saw. Dedup shares a call only
// among reads of the same key, epoch and generation, and the cache keeps
// a reply only if no write started or ended while it was fetched: an
// entry is the vendor's record between two writes, and a call shared is
// one that no write overlapped when it was joined.
type fenceTransport struct {
	next http.RoundTripper
	// aux is the chain without the layers that treat a request as a
	// vendor operation (see AuxiliaryTransport).
	aux    http.RoundTripper
	vendor string
	logger *slog.Logger
	epoch  *atomic.Uint64
	// writing counts this replica's writes to the vendor in flight.
	writing atomic.Int64
	// gens is the shared write state (nil without one); cached reports
	// the operations whose reads the cache layer asks it about (nil: no
	// cache), which the fence then need not ask itself.
	gens   Generations
	cached func(op string) bool
	settle func(ctx context.Context, op string, err error) bool
}

func newFenceTransport(next, aux, cache http.RoundTripper, opts ChainOptions, epoch *atomic.Uint64) *fenceTransport {
	f := &fenceTransport{next: next, aux: aux, vendor: opts.Vendor, logger: opts.Logger, epoch: epoch, gens: opts.Generations}
	if c, ok := cache.(*cacheTransport); ok {
		// The cache reads the generation and the writes in flight with
		// its entry, for the operations it caches; for the others the
		// fence asks for them. The fence's move of the shared
		// generation after a write is the cache's invalidation.
		f.cached = func(op string) bool { return c.ttl(op) > 0 }
		f.settle = c.settle
	}
	return f
}

// readCall is what the fence learns of a read for the layers below it.
type readCall struct {
	key   string // requestKey: method, URL, credentials, body
	epoch uint64 // the local write epoch when the read started
	// gen is the shared generation the read saw: filled by the fence from
	// Generations or by the cache from its Get; "" without either.
	gen string
	// fresh: the read takes no cached reply, leaves none and shares no
	// call (FreshRead, a write in flight, or a shared state that cannot
	// say).
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
	ctx := req.Context()
	if h := hooksOf(ctx); h != nil && h.Ledger != nil {
		h.Ledger.ask(f.vendor)
	}
	if !IsRead(req) {
		return f.write(req)
	}
	key, err := requestKey(req)
	if err != nil {
		return nil, err
	}
	rc := &readCall{key: key, epoch: f.epoch.Load(), fresh: isFresh(req) || f.writing.Load() > 0}
	if f.gens != nil && !rc.fresh && (f.cached == nil || !f.cached(OperationFrom(ctx))) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		g, writing, gerr := f.gens.Current(sctx, f.vendor)
		cancel()
		// Unknown (Redis did not answer) is treated as a write in
		// flight: another replica's write may be, and a read that cannot
		// tell shares nothing.
		rc.fresh = gerr != nil || writing
		rc.gen = g
	}
	return f.next.RoundTrip(req.WithContext(withCall(ctx, func(c *call) { c.read = rc })))
}

// write sends a request that is not a read between the two moves of the
// write state (see fenceTransport).
func (f *fenceTransport) write(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	f.writing.Add(1)
	f.epoch.Add(1)
	id := ""
	if f.gens != nil {
		id = rand.Text()
		ttl := time.Minute
		if dl, ok := ctx.Deadline(); ok {
			ttl = time.Until(dl) + storeTimeout
		}
		f.shared(ctx, "marking a write in flight", func(sctx context.Context) error { return f.gens.BeginWrite(sctx, f.vendor, id, ttl) })
	}
	resp, err := f.next.RoundTrip(req)
	if f.gens != nil {
		moved := f.shared(ctx, "ending a write", func(sctx context.Context) error { return f.gens.EndWrite(sctx, f.vendor, id) })
		if f.settle != nil {
			f.settle(ctx, OperationFrom(ctx), moved)
		}
	}
	f.epoch.Add(1)
	f.writing.Add(-1)
	return resp, err
}

// shared runs one bounded call to the shared write state; a failure is
// logged (other replicas then fence by their own writes only, /readyz
// shows Redis's trouble), returned, and the write goes on.
func (f *fenceTransport) shared(ctx context.Context, what string, call func(context.Context) error) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	err := call(sctx)
	if err != nil {
		f.logger.WarnContext(ctx, "shared write state: "+what+" failed; other replicas may serve reads older than this write", "vendor", f.vendor, "error", err)
	}
	return err
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
