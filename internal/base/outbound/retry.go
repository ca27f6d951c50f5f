package outbound

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"syscall"
	"time"
)

// maxHonouredWait is the longest Retry-After the chain waits out when the
// request has no deadline; a vendor asking for more gets its answer passed
// on to the caller instead.
const maxHonouredWait = 30 * time.Second

// maxBufferedReply bounds what is kept of a reply that may be retried. A
// 429/5xx body is a short error document; more than this is cut.
const maxBufferedReply = 256 << 10

// retryTransport sends a read again when the failure was transient: the
// connection failed (refused, reset, closed early) or the vendor's own
// classifier (Vendor.Check) calls the reply Retryable, the same verdict
// the caller gets. Only reads (IsRead) are retried, because sending a
// mutation twice could do it twice; a mutation gets exactly one attempt.
// Waits grow exponentially with full jitter, so that callers that failed
// together do not come back together; a reply that names its wait
// (RetryAfter: a Retry-After header, or whatever the vendor puts in its
// body) gets exactly that wait. No wait runs past the request's deadline:
// when the next attempt could not start in time, the last reply goes back
// at once, for the vendor client to turn into its error with the
// vendor's RetryAfter.
//
// Only a reply that may be a failure is read here: a non-2xx one, or any
// reply of a vendor with ErrorsIn2xx. Other replies pass through as they
// came, unbuffered.
type retryTransport struct {
	next      http.RoundTripper
	attempts  int
	base, max time.Duration
	check     CheckFunc
	in2xx     bool
}

func newRetryTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	if opts.RetryAttempts <= 1 {
		return next
	}
	return &retryTransport{
		next:     next,
		attempts: opts.RetryAttempts,
		base:     opts.RetryBase,
		max:      opts.RetryMax,
		check:    opts.Descriptor.check(),
		in2xx:    opts.Descriptor.ErrorsIn2xx,
	}
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !IsRead(req) || !replayable {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	attemptReq := req
	sent := 0 // requests that reached the wire, net/http's own replays included
	for attempt := 1; ; attempt++ {
		var conns atomic.Int32
		traced := attemptReq.WithContext(httptrace.WithClientTrace(attemptReq.Context(), &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { conns.Add(1) },
		}))
		resp, err := t.next.RoundTrip(traced)
		// net/http replays an idempotent request once by itself when a
		// reused keep-alive connection fails; that replay reached the
		// vendor too, and counts against the attempts.
		sent += max(1, int(conns.Load()))
		last := sent >= t.attempts
		var asked time.Duration
		switch {
		case err != nil:
			if last || !retryableTransportError(ctx, err) {
				return nil, err
			}
		case last || !t.mayFail(resp.StatusCode):
			return resp, nil
		default:
			var verdict *Error
			if resp, verdict, err = t.judge(resp); err != nil {
				if !retryableTransportError(ctx, err) {
					return nil, err
				}
			} else if verdict == nil || !verdict.Retryable {
				return resp, nil
			} else {
				asked = verdict.RetryAfter
			}
		}
		wait := asked
		if wait <= 0 {
			wait = t.backoff(attempt)
		}
		if !waitFits(ctx, wait) {
			return resp, err
		}
		if !sleep(ctx, wait) {
			return resp, err
		}
		next, gerr := replay(req)
		if gerr != nil {
			return resp, err
		}
		if resp != nil {
			// Superseded by the next attempt (a buffered body's Close
			// does nothing; a long one's lets its connection go).
			_ = resp.Body.Close()
		}
		attemptReq = next
	}
}

// backoff is the full-jitter wait before attempt n+1: uniform in
// [0, min(max, base·2ⁿ⁻¹)].
func (t *retryTransport) backoff(n int) time.Duration {
	ceiling := t.max
	if n-1 < 30 {
		ceiling = min(t.max, t.base<<(n-1))
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// waitFits reports whether an attempt after wait could still start before
// ctx's deadline.
func waitFits(ctx context.Context, wait time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok {
		return time.Now().Add(wait).Before(dl)
	}
	return wait <= maxHonouredWait
}

// sleep waits d, or less if ctx ends first; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// replay is req again with a fresh copy of its body.
func replay(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r.Body = body
	return r, nil
}

// retryableTransportError reports whether err is a connection that failed
// before a reply could exist: refused, reset, closed early. The caller's
// own context ending is not retried, nor is a timeout (the deadline that
// caused it is the same for the next attempt), nor a refusal by the chain
// itself (an *Error).
func retryableTransportError(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var own *Error
	if errors.As(err, &own) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// mayFail reports whether a reply of this status could be a failure the
// vendor's classifier must see.
func (t *retryTransport) mayFail(status int) bool {
	return status < 200 || status >= 300 || t.in2xx
}

// judge reads resp's body (up to maxBufferedReply) and asks the vendor's
// classifier about it. The reply comes back whole either way: a body
// within the bound is kept in memory and the original closed, which frees
// the connection during a wait; a longer one (no error document is that
// long) is handed back as what was read followed by the rest, unread.
func (t *retryTransport) judge(resp *http.Response) (*http.Response, *Error, error) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedReply+1))
	if err != nil {
		_ = resp.Body.Close()
		return nil, nil, err
	}
	verdict := t.check(resp, head)
	if len(head) > maxBufferedReply {
		rest := resp.Body
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), rest), rest}
		return resp, verdict, nil
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(head))
	resp.ContentLength = int64(len(head))
	resp.Header.Del("Content-Length")
	return resp, verdict, nil
}
