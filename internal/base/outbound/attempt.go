package outbound

import (
	"context"
	"io"
	"net/http"
	"time"
)

// attemptTimeout bounds one attempt at a vendor call, from sending the
// request to the last byte of the reply: a vendor that stalls half-way
// through its body times out like one that never answers. The bound is
// per attempt, so the retry layer above can still use what is left of the
// request's own deadline.
type attemptTimeout struct {
	next    http.RoundTripper
	timeout time.Duration
}

func newAttemptTimeout(next http.RoundTripper, timeout time.Duration) http.RoundTripper {
	if timeout <= 0 {
		return next
	}
	return &attemptTimeout{next: next, timeout: timeout}
}

// RoundTrip implements http.RoundTripper.
func (t *attemptTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases the attempt's timer when the body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
