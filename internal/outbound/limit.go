package outbound

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"
)

// limitTransport keeps the gateway inside a vendor's limits: at most
// MaxConcurrent requests in flight and at most RatePerSecond sent. A
// request over either limit waits its turn instead of earning a 429; one
// that could not get its turn before its deadline is refused at once,
// without reaching the vendor, so that the caller learns early and the
// vendor's quota is not spent on a call nobody will wait for.
type limitTransport struct {
	next    http.RoundTripper
	vendor  string
	sem     *semaphore.Weighted // nil: unlimited
	limiter *rate.Limiter       // nil: unlimited
}

func newLimitTransport(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	t := &limitTransport{next: next, vendor: opts.Vendor}
	if opts.MaxConcurrent > 0 {
		t.sem = semaphore.NewWeighted(int64(opts.MaxConcurrent))
	}
	if opts.RatePerSecond > 0 && !math.IsInf(opts.RatePerSecond, 1) {
		t.limiter = rate.NewLimiter(rate.Limit(opts.RatePerSecond), opts.Burst)
	}
	if t.sem == nil && t.limiter == nil {
		return next
	}
	return t
}

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	release := func() {}
	if t.sem != nil {
		if err := t.sem.Acquire(ctx, 1); err != nil {
			return nil, t.queueError(ctx, err)
		}
		release = sync.OnceFunc(func() { t.sem.Release(1) })
	}
	// The rate is taken after the slot, so that a token is spent only by
	// a request that is about to go.
	if err := t.waitRate(ctx); err != nil {
		release()
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	// The request is in flight until its body is done with.
	resp.Body = onBodyDone(resp.Body, func(error) { release() })
	return resp, nil
}

// waitRate waits for the rate limiter's next slot, or refuses at once when
// that slot comes after ctx's deadline.
func (t *limitTransport) waitRate(ctx context.Context) error {
	if t.limiter == nil {
		return nil
	}
	now := time.Now()
	r := t.limiter.ReserveN(now, 1)
	if !r.OK() {
		return t.rateError(0)
	}
	delay := r.DelayFrom(now)
	if delay == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(delay).After(dl) {
		r.CancelAt(now)
		return t.rateError(delay)
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
}

func (t *limitTransport) rateError(delay time.Duration) *Error {
	return &Error{
		Vendor:     t.vendor,
		Kind:       KindRateLimited,
		Message:    "client-side rate limit",
		Retryable:  true,
		RetryAfter: delay,
	}
}

// queueError explains a request whose deadline passed while it queued for
// a concurrency slot: the vendor was never called, so the caller should
// not read it as the vendor being slow.
func (t *limitTransport) queueError(ctx context.Context, err error) error {
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	return &Error{
		Vendor:    t.vendor,
		Kind:      KindTimeout,
		Message:   "deadline passed while queued behind the client-side concurrency limit",
		Retryable: true,
		Err:       context.DeadlineExceeded,
	}
}
