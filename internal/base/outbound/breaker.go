package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// errServerFailure is what the breaker is told about a 5xx reply: the
// round trip succeeded, the vendor did not.
var errServerFailure = errors.New("vendor answered 5xx")

// breakerTransport fails fast while a vendor is failing, so that callers
// get an answer at once instead of each waiting out a timeout, and a
// vendor that is struggling gets room to recover. Failures are transport
// errors (including a body that breaks off) and 5xx replies; a 4xx or a 429
// is the vendor working as designed. After BreakerFailures consecutive
// failures it opens for BreakerOpen, then lets one probe through; the
// probe's success closes it, its failure opens it again.
type breakerTransport struct {
	next     http.RoundTripper
	vendor   string
	open     time.Duration
	cb       *gobreaker.TwoStepCircuitBreaker[struct{}]
	openedAt atomic.Int64 // unix nanoseconds of the last move to open
}

func newBreakerTransport(next http.RoundTripper, opts ChainOptions) *breakerTransport {
	b := &breakerTransport{next: next, vendor: opts.Vendor, open: opts.BreakerOpen}
	failures := uint32(opts.BreakerFailures)
	logger := opts.Logger
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        opts.Vendor,
		MaxRequests: 1,
		Timeout:     opts.BreakerOpen,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsExcluded:  isBreakerExcluded,
		OnStateChange: func(name string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				b.openedAt.Store(time.Now().UnixNano())
			}
			logger.Warn("vendor circuit breaker changed state", "vendor", name, "from", from.String(), "to", to.String())
		},
	})
	return b
}

// isBreakerExcluded keeps out of the count what says nothing about the
// vendor: the caller giving up, and the client-side limits refusing a
// request that never left the gateway.
func isBreakerExcluded(err error) bool {
	var e *Error
	return errors.Is(err, context.Canceled) || errors.As(err, &e)
}

// RoundTrip implements http.RoundTripper.
func (b *breakerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	done, err := b.cb.Allow()
	if err != nil {
		return nil, b.openError(err)
	}
	resp, err := b.next.RoundTrip(req)
	if err != nil {
		if req.Context().Err() == context.Canceled {
			err = fmt.Errorf("%w: %w", context.Canceled, err)
		}
		done(err)
		return nil, err
	}
	if resp.StatusCode >= 500 {
		done(errServerFailure)
		return resp, nil
	}
	// The verdict waits for the body: a vendor that sends headers and then
	// breaks off is failing too.
	resp.Body = onBodyDone(resp.Body, func(err error) {
		if err != nil && req.Context().Err() == context.Canceled {
			err = context.Canceled
		}
		done(err)
	})
	return resp, nil
}

// openError is the fail-fast answer of an open (or probing) breaker.
func (b *breakerTransport) openError(cause error) *Error {
	wait := b.open - time.Since(time.Unix(0, b.openedAt.Load()))
	if errors.Is(cause, gobreaker.ErrTooManyRequests) || wait <= 0 {
		// Half-open with its one probe in flight: it settles within a call.
		wait = min(b.open, time.Second)
	}
	return &Error{
		Vendor:     b.vendor,
		Kind:       KindUnavailable,
		Message:    "circuit breaker open",
		Retryable:  true,
		RetryAfter: wait,
		Err:        cause,
	}
}

// onBodyDone calls fn once, when rc is read to its end (nil), breaks off
// (the read error) or is closed (nil).
func onBodyDone(rc io.ReadCloser, fn func(error)) io.ReadCloser {
	return &hookedBody{rc: rc, fn: fn}
}

type hookedBody struct {
	rc   io.ReadCloser
	once sync.Once
	fn   func(error)
}

func (h *hookedBody) Read(p []byte) (int, error) {
	n, err := h.rc.Read(p)
	switch {
	case err == io.EOF:
		h.once.Do(func() { h.fn(nil) })
	case err != nil:
		h.once.Do(func() { h.fn(err) })
	}
	return n, err
}

func (h *hookedBody) Close() error {
	err := h.rc.Close()
	h.once.Do(func() { h.fn(nil) })
	return err
}
