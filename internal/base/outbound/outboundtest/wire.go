package outboundtest

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Wire is a RoundTripper that notes every credential the requests through
// it carry (Authorization, its value after the scheme, X-Api-Key, and the
// apiKey and accessKey query parameters, raw and as sent) before passing
// them on. Put under a vendor client's auth layer, it sees exactly what
// the vendor sees, run-time tokens included.
type Wire struct {
	Next http.RoundTripper // nil: http.DefaultTransport

	mu   sync.Mutex
	seen []string
}

// RoundTrip implements http.RoundTripper.
func (w *Wire) RoundTrip(r *http.Request) (*http.Response, error) {
	var found []string
	if v := r.Header.Get("Authorization"); v != "" {
		found = append(found, v)
		if _, cred, ok := strings.Cut(v, " "); ok {
			found = append(found, cred)
		}
	}
	if v := r.Header.Get("X-Api-Key"); v != "" {
		found = append(found, v)
	}
	q := r.URL.Query()
	for _, k := range []string{"apiKey", "accessKey"} {
		if v := q.Get(k); v != "" {
			found = append(found, v, url.QueryEscape(v))
		}
	}
	w.mu.Lock()
	w.seen = append(w.seen, found...)
	w.mu.Unlock()
	next := w.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// Credentials returns every credential seen so far.
func (w *Wire) Credentials() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.seen...)
}

// RequireScrubbed requires err to be an *outbound.Error in which none of
// creds appears: not in its text, its Message, its Code or its cause. It
// returns the error, for further checks.
func RequireScrubbed(t testing.TB, err error, creds []string) *outbound.Error {
	t.Helper()
	var e *outbound.Error
	require.True(t, errors.As(err, &e), "want *outbound.Error, got %T: %v", err, err)
	require.NotEmpty(t, creds, "no credential went over the wire")
	for _, c := range creds {
		assert.NotContains(t, err.Error(), c, "credential in the error text")
		assert.NotContains(t, e.Message, c, "credential in Message")
		assert.NotContains(t, e.Code, c, "credential in Code")
		if e.Err != nil {
			assert.NotContains(t, e.Err.Error(), c, "credential in the cause")
		}
	}
	return e
}
