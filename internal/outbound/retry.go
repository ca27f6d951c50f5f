package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
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

// maxTryInSeconds keeps an absurd try-in-seconds from overflowing a
// time.Duration; anything this long is passed on, never waited out.
const maxTryInSeconds = 24 * 60 * 60

// retryTransport sends a read again when the failure was transient: the
// connection failed (refused, reset, closed early) or the vendor said
// 429/502/503/504. Only reads (IsRead) are retried, because sending a
// mutation twice could do it twice; a mutation gets exactly one attempt.
// Waits grow exponentially with full jitter, so that callers that failed
// together do not come back together; 429 and 503 wait what the vendor
// asked for (Retry-After, or a JSON body's try-in-seconds). No wait runs
// past the request's deadline: when the next attempt could not start in
// time, the last reply goes back at once, for the vendor client to turn
// into a RateLimited/Unavailable error with the vendor's RetryAfter.
type retryTransport struct {
	next      http.RoundTripper
	attempts  int
	base, max time.Duration
}

func newRetryTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	if opts.RetryAttempts <= 1 {
		return next
	}
	return &retryTransport{next: next, attempts: opts.RetryAttempts, base: opts.RetryBase, max: opts.RetryMax}
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
		case last || !retryableReply(resp.StatusCode):
			return resp, nil
		default:
			// Keep the reply whole, so that it can be read for the wait it
			// asks for and still be handed back as it came.
			var body []byte
			if resp, body, err = bufferReply(resp); err != nil {
				if !retryableTransportError(ctx, err) {
					return nil, err
				}
			} else if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
				asked = retryAfter(resp, body)
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

func retryableReply(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
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

// bufferReply reads resp's body into memory (up to maxBufferedReply) and
// closes the original, which frees the connection during the wait.
func bufferReply(resp *http.Response) (*http.Response, []byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedReply))
	_ = resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, body, nil
}

// retryAfter is the wait a 429/503 reply asks for: the Retry-After header
// in either form, or else a JSON body's try-in-seconds, at the top level
// or under "error" (Ortto sends no header, only
// {"error":{"code":"rate-limit","try-in-seconds":10}}).
func retryAfter(resp *http.Response, body []byte) time.Duration {
	if d := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); d > 0 {
		return d
	}
	return tryInSeconds(body)
}

// tryInSeconds reads try-in-seconds from a JSON error body.
func tryInSeconds(body []byte) time.Duration {
	var doc struct {
		Try   json.RawMessage `json:"try-in-seconds"`
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return 0
	}
	raw := doc.Try
	if len(raw) == 0 {
		var nested struct {
			Try json.RawMessage `json:"try-in-seconds"`
		}
		if json.Unmarshal(doc.Error, &nested) != nil {
			return 0
		}
		raw = nested.Try
	}
	secs, err := strconv.ParseFloat(strings.Trim(string(raw), `"`), 64)
	switch {
	case err != nil || !(secs > 0):
		return 0
	case secs > maxTryInSeconds:
		secs = maxTryInSeconds
	}
	return time.Duration(secs * float64(time.Second))
}
