package outbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// CacheStore holds cached vendor replies for every chain of the process
// (memory, bounded by bytes: NewMemoryCacheStore) or of every replica
// (Redis: sharedstate.NewCacheStore).
//
// Entries are scoped by a per-vendor generation: Get returns the vendor's
// current generation with the entry stored under it, Set stores under the
// generation Get returned, and Invalidate moves the vendor to a new
// generation, which makes every entry stored under an older one
// unreachable at once (they age out on their own). A read that was in
// flight across an invalidation stores under the generation it started
// with, so it can never put pre-mutation data back in front of readers.
type CacheStore interface {
	// Get returns the entry stored under key in vendor's current
	// generation (nil when there is none), that generation, and whether a
	// write to the vendor is in flight on any replica (see Generations;
	// a store of one replica says false: the fence knows its own writes).
	Get(ctx context.Context, vendor, key string) (entry []byte, gen string, writing bool, err error)
	// Set stores entry under key in generation gen of vendor for ttl.
	Set(ctx context.Context, vendor, gen, key string, entry []byte, ttl time.Duration) error
	// Invalidate drops every entry of vendor.
	Invalidate(ctx context.Context, vendor string) error
}

// CacheObserver is told what the cache did, for metrics: outcome is one
// of the Cache* values. The Observer given to the chain is used when it
// also implements CacheObserver.
type CacheObserver interface {
	ObserveCache(vendor, op, outcome string)
}

// What the cache layer did with a read, or a mutation's invalidation.
const (
	CacheHit        = "hit"        // served from the cache; the vendor was not called
	CacheMiss       = "miss"       // the vendor was called (and its reply kept when cacheable)
	CacheStale      = "stale"      // the vendor failed; an expired entry was served instead
	CacheInvalidate = "invalidate" // a mutation (or invalidateCache) dropped the vendor's entries
	// CacheInvalidateFailed: the store did not take a mutation's
	// invalidation (Redis down); the replica reads past the cache until a
	// later invalidation goes through.
	CacheInvalidateFailed = "invalidate_failed"
)

// StaleServe describes a reply served stale because the vendor failed.
type StaleServe struct {
	Vendor, Operation string
	Age               time.Duration
}

func reportStale(ctx context.Context, s StaleServe) {
	if h := hooksOf(ctx); h != nil && h.Stale != nil {
		h.Stale(s)
	}
}

// CacheOptions configure the read cache of a chain. A nil Store turns the
// layer off: the chain is then exactly what it is without a cache.
type CacheOptions struct {
	Store CacheStore
	// TTL is how long a reply is served without asking the vendor
	// (default DefaultCacheTTL); OperationTTL overrides it per operation
	// (the names vendor clients give WithOperation). A TTL of 0 in
	// OperationTTL keeps that operation out of the cache.
	TTL          time.Duration
	OperationTTL map[string]time.Duration
	// MaxStale is how long past its TTL an entry may still be served when
	// the vendor fails (default DefaultCacheMaxStale).
	MaxStale time.Duration
}

// Defaults for CacheOptions.
const (
	DefaultCacheTTL      = 30 * time.Second
	DefaultCacheMaxStale = time.Hour
)

// cacheTransport is the read cache, just inside the write fence: a
// fresh entry answers a read without the vendor (nor a span, a vendor
// metric or a rate-limit token: none of those happened), and a miss goes
// down through dedup, so a storm of identical misses costs one vendor
// call. Only reads (IsRead) are cached, and only 2xx replies the vendor's
// own Check accepts (Apptivo reports failures with 200) and that are
// whole JSON documents. Keys are a
// SHA-256 of the operation, method, URL (with its query, where Apptivo's
// keys travel), body and credential headers, the same identity dedup
// uses, so different vendor credentials never share an entry and no
// credential is stored in clear. When the vendor fails (no reply, 5xx,
// 429, an open breaker, a client-side limit) an entry up to MaxStale past
// its TTL is served instead and reported to the caller's
// Hooks.Stale (the GraphQL layer's extensions.stale). Every request that is not a read
// invalidates the vendor's entries once the vendor has answered or failed,
// since a mutation whose outcome is unknown may still have happened.
type cacheTransport struct {
	next   http.RoundTripper
	vendor string
	opts   CacheOptions
	check  CheckFunc
	// uncacheable is the vendor's Uncacheable.
	uncacheable func(*http.Response, []byte) bool
	observer    CacheObserver
	logger      *slog.Logger
	// epoch is the fence's write epoch (see fenceTransport).
	epoch *atomic.Uint64
	// fenced: the fence moves the shared generation around every write
	// (ChainOptions.Generations, the same Redis counter Invalidate moves),
	// so a write needs no invalidation of its own here; the fence tells
	// the cache how its move went (settle).
	fenced bool
	// unpublished is set while an invalidation the store refused is owed:
	// until it goes through, this replica neither serves nor keeps
	// cached replies of the vendor (they may predate the write), and
	// each read first tries to publish it again.
	unpublished atomic.Bool
}

func newCacheTransport(next http.RoundTripper, opts ChainOptions, epoch *atomic.Uint64) http.RoundTripper {
	c := opts.Cache
	if c.Store == nil {
		return next
	}
	if c.TTL <= 0 {
		c.TTL = DefaultCacheTTL
	}
	if c.MaxStale < 0 {
		c.MaxStale = 0
	} else if c.MaxStale == 0 {
		c.MaxStale = DefaultCacheMaxStale
	}
	obs, _ := opts.Observer.(CacheObserver)
	return &cacheTransport{next: next, vendor: opts.Vendor, opts: c, check: opts.Descriptor.check(), uncacheable: opts.Descriptor.Uncacheable, observer: obs, logger: opts.Logger, epoch: epoch, fenced: opts.Generations != nil}
}

func (t *cacheTransport) observe(op, outcome string) {
	if t.observer != nil {
		t.observer.ObserveCache(t.vendor, op, outcome)
	}
}

func (t *cacheTransport) ttl(op string) time.Duration {
	if d, ok := t.opts.OperationTTL[op]; ok {
		return d
	}
	return t.opts.TTL
}

// storeTimeout bounds one cache store call, so that a slow Redis costs a
// read little more than an uncached call.
const storeTimeout = 250 * time.Millisecond

// RoundTrip implements http.RoundTripper.
func (t *cacheTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	op := OperationFrom(ctx)
	if !IsRead(req) {
		resp, err := t.next.RoundTrip(req)
		if !t.fenced {
			t.invalidate(ctx, op)
		}
		return resp, err
	}
	ttl := t.ttl(op)
	rc := readCallFrom(req)
	if ttl <= 0 || rc == nil || rc.fresh {
		return t.next.RoundTrip(req)
	}
	if t.unpublished.Load() && !t.invalidate(ctx, op) {
		// The store took no invalidation of this replica's last write:
		// like a store that cannot answer, the read is fresh.
		rc.fresh = true
		return t.next.RoundTrip(req)
	}
	sum := sha256.Sum256([]byte(op + "\n" + rc.key))
	key := hex.EncodeToString(sum[:])
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	raw, gen, writing, gerr := t.opts.Store.Get(sctx, t.vendor, key)
	cancel()
	if gerr != nil || writing {
		// Another replica's write is in flight, or the store cannot say:
		// the read is fresh (see fenceTransport), past the cache and
		// never shared. (A stale entry cannot be had without the store
		// either.)
		if gerr != nil {
			t.logger.WarnContext(ctx, "response cache unavailable; calling the vendor", "vendor", t.vendor, "error", gerr)
		}
		rc.fresh = true
		return t.next.RoundTrip(req)
	}
	// Dedup shares this read's call only with reads that saw the same
	// generation (see fenceTransport).
	rc.gen = gen
	var cached *cacheEntry
	if gerr == nil && raw != nil {
		cached, _ = decodeCacheEntry(raw)
	}
	var age time.Duration
	if cached != nil {
		age = time.Since(cached.stored)
		if age < ttl {
			t.observe(op, CacheHit)
			return cached.response(req), nil
		}
	}
	resp, err := t.next.RoundTrip(req)
	if cached != nil && age < ttl+t.opts.MaxStale && vendorFailed(ctx, resp, err) {
		if resp != nil {
			_ = resp.Body.Close()
		}
		t.observe(op, CacheStale)
		reportStale(ctx, StaleServe{Vendor: t.vendor, Operation: op, Age: age})
		return cached.response(req), nil
	}
	t.observe(op, CacheMiss)
	if err != nil || gerr != nil || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		// The caller reads the same failure it would have read.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	// A reply the client could not decode is not kept either: every
	// vendor client reads JSON through Do, and a cut or garbled body must
	// not stand in for the vendor later.
	// A reply fetched while a write came back may predate the write: it
	// is handed to its caller (whose read was concurrent with the write)
	// but not kept for later readers.
	if t.epoch.Load() == rc.epoch && len(body) <= maxBodyBytes && t.check(resp, body) == nil && json.Valid(body) && (t.uncacheable == nil || !t.uncacheable(resp, body)) {
		e := cacheEntry{stored: time.Now(), status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		if err := t.opts.Store.Set(sctx, t.vendor, gen, key, e.encode(), ttl+t.opts.MaxStale); err != nil {
			t.logger.WarnContext(ctx, "response cache: storing a reply failed", "vendor", t.vendor, "error", err)
		}
		cancel()
	}
	return resp, nil
}

// invalidate drops the vendor's entries after a mutation, and reports
// whether the store took it. One it refuses is owed (unpublished): the
// mutation itself happened and is reported to its caller as it went, but
// this replica reads past the cache until the invalidation goes through.
// Other replicas sharing the store cannot be told; they serve their
// entries until a later invalidation or the TTL (RELIABILITY.md).
func (t *cacheTransport) invalidate(ctx context.Context, op string) bool {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	return t.settle(ctx, op, t.opts.Store.Invalidate(sctx, t.vendor))
}

// settle records how an invalidation went, the cache's own or the
// fence's move of the shared generation after a write (the same Redis
// counter): err != nil leaves one owed, success pays what was owed.
func (t *cacheTransport) settle(ctx context.Context, op string, err error) bool {
	if err != nil {
		if !t.unpublished.Swap(true) {
			t.logger.ErrorContext(ctx, "response cache: invalidation after a mutation failed; reading past the cache until it goes through", "vendor", t.vendor, "error", err)
		}
		t.observe(op, CacheInvalidateFailed)
		return false
	}
	if t.unpublished.Swap(false) {
		t.logger.InfoContext(ctx, "response cache: the owed invalidation went through; serving from the cache again", "vendor", t.vendor)
	}
	t.observe(op, CacheInvalidate)
	return true
}

// vendorFailed reports whether a read failed in a way a stale entry may
// stand in for: no reply (connection error, timeout, open breaker,
// client-side limit), a 5xx or a 429. The caller giving up is not.
func vendorFailed(ctx context.Context, resp *http.Response, err error) bool {
	if err != nil {
		return !errors.Is(err, context.Canceled) || ctx.Err() == nil
	}
	return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// cacheEntry is a kept reply: what a vendor client reads of it.
type cacheEntry struct {
	stored      time.Time
	status      int
	contentType string
	body        []byte
}

// encode lays the entry out as stored-at (unix ns), status, content type
// length and text, then the body.
func (e cacheEntry) encode() []byte {
	b := make([]byte, 0, 8+2+2+len(e.contentType)+len(e.body))
	b = binary.BigEndian.AppendUint64(b, uint64(e.stored.UnixNano()))
	b = binary.BigEndian.AppendUint16(b, uint16(e.status))
	b = binary.BigEndian.AppendUint16(b, uint16(len(e.contentType)))
	b = append(b, e.contentType...)
	return append(b, e.body...)
}

func decodeCacheEntry(b []byte) (*cacheEntry, bool) {
	if len(b) < 12 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(b[10:12]))
	if len(b) < 12+n {
		return nil, false
	}
	return &cacheEntry{
		stored:      time.Unix(0, int64(binary.BigEndian.Uint64(b[0:8]))),
		status:      int(binary.BigEndian.Uint16(b[8:10])),
		contentType: string(b[12 : 12+n]),
		body:        b[12+n:],
	}, true
}

// response is the entry as a reply to req; each caller gets its own body
// reader over the shared bytes.
func (e *cacheEntry) response(req *http.Request) *http.Response {
	h := http.Header{}
	if e.contentType != "" {
		h.Set("Content-Type", e.contentType)
	}
	return &http.Response{
		Status:        strconv.Itoa(e.status) + " " + http.StatusText(e.status),
		StatusCode:    e.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       req,
	}
}
