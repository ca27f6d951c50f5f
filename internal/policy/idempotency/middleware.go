package idempotency

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/persisted"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
)

// Header names.
const (
	// KeyHeader carries the client's idempotency key.
	KeyHeader = "Idempotency-Key"
	// ReplayedHeader is set to "true" on a response served from the store.
	ReplayedHeader = "Idempotent-Replayed"
)

// Defaults for Options.
const (
	DefaultTTL              = 24 * time.Hour
	DefaultPendingTTL       = time.Minute
	DefaultPendingMargin    = 30 * time.Second
	DefaultMaxBodyBytes     = 1 << 20
	DefaultMaxResponseBytes = 1 << 20
	DefaultPollInterval     = 100 * time.Millisecond
	// MaxKeyLength is the longest Idempotency-Key accepted.
	MaxKeyLength = 255
)

// storeTimeout bounds the store calls made after the handler ran, which
// must not be cut short by a client that went away: the mutation happened.
const storeTimeout = 5 * time.Second

// Options configure Middleware. Only Store is required.
type Options struct {
	Store Store
	// Scope returns the caller's identity (the gateway passes
	// auth.Principal.Identity: the client and its scope set). Keys are per
	// scope, so two clients choosing the same key never see each other's
	// responses.
	Scope func(*http.Request) string
	// TTL is how long a finished response is replayed. Default 24 h.
	TTL time.Duration
	// PendingTTL is how long, at the least, a duplicate waits for the
	// request holding the key before presuming it dead (a crashed
	// replica): its lease (Record.Lease). When the request's context has a
	// deadline (the gateway's SWITCHYARD_REQUEST_TIMEOUT), the lease runs
	// to that deadline plus PendingMargin if that is longer. A retry after
	// the lease gets 409 IDEMPOTENCY_OUTCOME_UNKNOWN, never a second run:
	// the dead request may have reached the vendor. The reservation itself
	// is kept for TTL. Default 1 min.
	PendingTTL time.Duration
	// PendingMargin is how long past the request's deadline a reservation
	// lasts, for the response to be written and stored. Default 30 s.
	PendingMargin time.Duration
	// MaxBodyBytes bounds the request body read here (413 above it).
	MaxBodyBytes int64
	// MaxResponseBytes bounds a stored response; a larger one is sent but
	// not stored, and the key is released.
	MaxResponseBytes int
	// PollInterval is the longest wait between two looks at the store while
	// a duplicate waits for the first request to finish.
	PollInterval time.Duration
	// PersistedQuery resolves an automatic persisted query hash to its text
	// (pass the APQ cache's Get). Without it, a request that sends only the
	// hash passes through unguarded; that is safe only while APQ is off,
	// since gqlgen then refuses such requests itself.
	PersistedQuery func(ctx context.Context, sha256Hash string) (string, bool)
	// Retryable reports whether a 2xx response is a failure the client
	// should be able to retry with the same key (GraphQL answers a failed
	// mutation with 200 and errors); such a response is sent but not
	// stored. Nil stores every 2xx response that is not a refusal (see
	// RefusalCodes, which are never stored). See FailedWith.
	Retryable func(body []byte) bool
	Logger    *slog.Logger
	// Now is the clock leases are set and judged by (default time.Now);
	// tests share it with the store's.
	Now func() time.Time
}

// Middleware guards next, the GraphQL endpoint, with idempotency keys.
//
// It acts only on a POST carrying Idempotency-Key whose selected operation
// is a mutation; everything else passes through untouched (an invalid key
// is answered with 400 BAD_USER_INPUT). The first request with a key runs
// next and, when the status is 2xx, stores the response for TTL; a non-2xx
// (or a panic), a refusal (see RefusalCodes) or a response Retryable
// accepts releases the key so the client can retry. A later request
// with the same key and fingerprint gets the stored response verbatim with
// Idempotent-Replayed: true and next is not called; one with a different
// fingerprint gets 409 CONFLICT. A duplicate arriving while the first is
// still running waits for it (bounded by its own context) and replays its
// response; if the first releases the key, the waiter takes the key over
// and runs the request itself, as a retry would.
//
// It panics if opts.Store is nil.
func Middleware(opts Options, next http.Handler) http.Handler {
	if opts.Store == nil {
		panic("idempotency: Options.Store is nil")
	}
	if opts.Scope == nil {
		opts.Scope = func(*http.Request) string { return "" }
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.PendingTTL <= 0 {
		opts.PendingTTL = DefaultPendingTTL
	}
	if opts.PendingMargin <= 0 {
		opts.PendingMargin = DefaultPendingMargin
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &middleware{opts: opts, next: next}
}

type middleware struct {
	opts Options
	next http.Handler
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	values := r.Header.Values(KeyHeader)
	if r.Method != http.MethodPost || len(values) == 0 || r.Body == nil {
		m.next.ServeHTTP(w, r)
		return
	}
	if len(values) != 1 || !validKey(values[0]) {
		writeError(w, http.StatusBadRequest, errcode.BadUserInput, "Idempotency-Key must be one value of 1 to 255 printable ASCII characters")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, m.opts.MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, errcode.PayloadTooLarge, "request body is larger than the gateway accepts")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, errcode.BadRequest, "could not read the request body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	fp, ok := fingerprint(r.Context(), body, m.opts.PersistedQuery)
	if !ok {
		// Not a mutation, or not a request the executor will run: it
		// answers with its own error.
		m.next.ServeHTTP(w, r)
		return
	}
	m.serve(w, r, storageKey(m.opts.Scope(r), values[0]), fp)
}

// serve reserves key and runs the request, or replays, refuses or waits
// for the record already there.
func (m *middleware) serve(w http.ResponseWriter, r *http.Request, key, fp string) {
	ctx := r.Context()
	now := m.opts.Now()
	pending := Record{Fingerprint: fp, State: StatePending, Owner: rand.Text(), Created: now, Lease: now.Add(m.pendingTTL(ctx))}
	wait := 5 * time.Millisecond
	for {
		existing, reserved, err := m.opts.Store.Reserve(ctx, key, pending, m.opts.TTL)
		switch {
		case err != nil && ctx.Err() != nil:
			// The request's own deadline ended while it asked (most often
			// while it waited for the first request with the key): the
			// store is not to blame.
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusConflict, errcode.Conflict, "a request with this Idempotency-Key is still in progress; retry later")
			return
		case err != nil:
			m.opts.Logger.ErrorContext(ctx, "idempotency store failed", "op", "reserve", "key", logKey(key), "err", err)
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, errcode.SharedStateUnavailable, "idempotency keys are unavailable, so the mutation was not run; retry later")
			return
		case reserved:
			m.run(w, r, key, pending)
			return
		case existing.Fingerprint != fp:
			writeError(w, http.StatusConflict, errcode.Conflict, "this Idempotency-Key was already used with a different request")
			return
		case existing.State == StateDone:
			replay(w, existing)
			return
		case !existing.Lease.IsZero() && m.opts.Now().After(existing.Lease):
			outcomeUnknown.Add(1)
			m.opts.Logger.WarnContext(ctx, "idempotency key held by a request that never finished; refusing to run it again", "key", logKey(key), "held_since", existing.Created)
			writeError(w, http.StatusConflict, errcode.IdempotencyOutcomeUnknown, outcomeUnknownMessage)
			return
		}
		// The same request is running elsewhere: wait for it to finish.
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusConflict, errcode.Conflict, "a request with this Idempotency-Key is still in progress; retry later")
			return
		case <-t.C:
		}
		wait = min(2*wait, m.opts.PollInterval)
	}
}

// pendingTTL is how long a reservation made now under ctx must last: past
// ctx's deadline by PendingMargin, and at least PendingTTL.
func (m *middleware) pendingTTL(ctx context.Context) time.Duration {
	ttl := m.opts.PendingTTL
	if deadline, ok := ctx.Deadline(); ok {
		ttl = max(ttl, time.Until(deadline)+m.opts.PendingMargin)
	}
	return ttl
}

// outcomeUnknownMessage tells a client whose first attempt died what to do.
const outcomeUnknownMessage = "the first request with this Idempotency-Key stopped before it finished and may have changed the vendor's data; " +
	"check whether it did (look the record up) and send any new attempt with a new key"

// outcomeUnknown counts retries refused because their key's first request
// died without an outcome.
var outcomeUnknown atomic.Uint64

// OutcomesUnknown is how many keyed retries in this process were refused
// with IDEMPOTENCY_OUTCOME_UNKNOWN; the telemetry package exports it as
// switchyard_idempotency_outcome_unknown_total.
func OutcomesUnknown() uint64 { return outcomeUnknown.Load() }

// lostReservations counts completions that found their reservation gone.
var lostReservations atomic.Uint64

// LostReservations is how many requests in this process ran a mutation
// and then found that their reservation was gone (the store lost it: a
// Redis restart without persistence, an eviction), so that their response
// was not stored and a retry may have run the mutation again. Each is also logged at ERROR. It should stay 0; the
// telemetry package exports it as
// switchyard_idempotency_reservations_lost_total.
func LostReservations() uint64 { return lostReservations.Load() }

// run calls next while recording its response, then stores the response or
// releases the key.
func (m *middleware) run(w http.ResponseWriter, r *http.Request, key string, pending Record) {
	rec := &recorder{ResponseWriter: w, limit: m.opts.MaxResponseBytes}
	stored := false
	defer func() {
		// Also runs when next panics, so the key never stays pending.
		if stored {
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeTimeout)
		defer cancel()
		if err := m.opts.Store.Release(ctx, key, pending.Owner); err != nil {
			m.opts.Logger.ErrorContext(ctx, "idempotency store failed", "op", "release", "key", logKey(key), "err", err)
		}
	}()
	m.next.ServeHTTP(rec, r)
	status := rec.finalStatus()
	if status < 200 || status > 299 {
		return
	}
	if rec.overflow {
		m.opts.Logger.WarnContext(r.Context(), "idempotent response too large to store; key released", "key", logKey(key), "limit", m.opts.MaxResponseBytes)
		return
	}
	if refused(rec.buf.Bytes()) || m.opts.Retryable != nil && m.opts.Retryable(rec.buf.Bytes()) {
		return
	}
	done := pending
	done.State = StateDone
	done.Status = status
	done.Header = rec.header
	done.Body = rec.buf.Bytes()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeTimeout)
	defer cancel()
	err := m.opts.Store.Complete(ctx, key, done, m.opts.TTL)
	switch {
	case errors.Is(err, ErrNotHeld):
		lostReservations.Add(1)
		m.opts.Logger.ErrorContext(ctx, "idempotency reservation lost before the response was stored: a retry with this key may run the mutation again",
			"key", logKey(key), "held_for", m.opts.Now().Sub(pending.Created).Round(time.Millisecond).String())
		return
	case err != nil:
		m.opts.Logger.ErrorContext(ctx, "idempotency store failed", "op", "complete", "key", logKey(key), "err", err)
		return
	}
	stored = true
}

// RefusalCodes are the extensions.code values of a request refused before
// anything ran: authentication and scopes, parse and validation failures,
// query limits and persisted-query refusals (every PERSISTED_QUERY_* code
// counts, listed or not). A response whose only errors carry these codes,
// with no root field of data non-null, is never stored, whatever
// Options.Retryable says: storing it would replay a refusal for 24 h, even
// to a retry sent with the credentials or query that fix it.
var RefusalCodes = []string{
	errcode.Unauthenticated, errcode.Forbidden,
	errcode.GraphQLParseFailed, errcode.GraphQLValidationFailed, errcode.BadRequest,
	querylimits.QueryTooDeep, querylimits.QueryTooComplex, querylimits.QueryTooLarge,
	errcode.VendorBudgetExceeded, querylimits.IntrospectionDisabled,
	persisted.CodeNotFound, persisted.CodeNotAllowed,
}

// isRefusal reports whether code is a refusal (see RefusalCodes).
func isRefusal(code string) bool {
	return strings.HasPrefix(code, "PERSISTED_QUERY_") || slices.Contains(RefusalCodes, code)
}

// refused reports whether body is a refusal (see RefusalCodes).
var refused = failedWith(isRefusal)

// FailedWith returns an Options.Retryable that releases the key when the
// operation did nothing a retry could repeat: no root field of data is
// non-null, there is at least one error, and every error has one of codes
// or a refusal code (RefusalCodes) as extensions.code and no
// extensions.ids (which names a chunk of a bulk call that failed after
// others may have succeeded). Pass codes that mean the vendor was never
// asked or refused outright, e.g. VENDOR_RATE_LIMITED and
// VENDOR_NOT_CONFIGURED; not VENDOR_TIMEOUT, whose outcome is unknown.
// Refusals count with them so that a reply mixing the two (one field
// FORBIDDEN, another rate limited) is not stored either: nothing in it
// ran, and storing it would replay the rate limit for a day after it
// cleared.
func FailedWith(codes ...string) func(body []byte) bool {
	retryable := map[string]bool{}
	for _, c := range codes {
		retryable[c] = true
	}
	return failedWith(func(code string) bool { return retryable[code] || isRefusal(code) })
}

// failedWith is FailedWith for the codes retryable accepts.
func failedWith(retryable func(code string) bool) func(body []byte) bool {
	return func(body []byte) bool {
		var resp struct {
			Data   map[string]json.RawMessage `json:"data"`
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if json.Unmarshal(body, &resp) != nil || len(resp.Errors) == 0 {
			return false
		}
		for _, v := range resp.Data {
			if !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				return false
			}
		}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if _, partial := e.Extensions["ids"]; partial || !retryable(code) {
				return false
			}
		}
		return true
	}
}

// replay writes a stored response as it was first sent.
func replay(w http.ResponseWriter, rec *Record) {
	h := w.Header()
	for k, v := range rec.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Set(ReplayedHeader, "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}

// replayable are the response headers stored with a response. Everything
// else (request ids, cookies, tracing, rate-limit state) belongs to the
// request that produced it and is not replayed.
var replayable = []string{"Content-Type", "Content-Language"}

// recorder passes the response through to the client and keeps a copy.
type recorder struct {
	http.ResponseWriter
	limit    int
	status   int
	header   map[string][]string
	buf      bytes.Buffer
	overflow bool
}

// Flush lets a multipart (@defer) response stream through.
func (r *recorder) Flush() { _ = http.NewResponseController(r.ResponseWriter).Flush() }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
		r.header = map[string][]string{}
		for _, k := range replayable {
			if v := r.Header().Values(k); len(v) > 0 {
				r.header[k] = append([]string(nil), v...)
			}
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !r.overflow {
		if r.buf.Len()+len(p) > r.limit {
			r.overflow = true
			r.buf = bytes.Buffer{}
		} else {
			r.buf.Write(p)
		}
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// finalStatus is the status sent, 200 when next wrote nothing at all.
func (r *recorder) finalStatus() int {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.status
}

// validKey reports whether k is 1 to MaxKeyLength printable ASCII bytes.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > MaxKeyLength {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// storageKey scopes the client's key to its identity and hashes both, so
// the store never holds either in the clear.
func storageKey(scope, key string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// logKey is enough of a storage key to correlate log lines.
func logKey(key string) string { return key[:min(12, len(key))] }

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}
