package outbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

type readKey struct{}

// IdempotentRead marks ctx so that a POST sent under it (a lookup sent as
// POST, a GraphQL query) counts as a read: the
// chain may share it with identical reads in flight and retry it. GET
// requests are reads without marking. A vendor client marks only calls it
// knows change nothing; mutations are never marked.
func IdempotentRead(ctx context.Context) context.Context {
	return context.WithValue(ctx, readKey{}, true)
}

// IsRead reports whether req may be shared and retried.
func IsRead(req *http.Request) bool {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return true
	}
	marked, _ := req.Context().Value(readKey{}).(bool)
	return marked
}

// credentialHeaders are the headers that make two otherwise identical
// requests different callers' requests.
var credentialHeaders = []string{"Authorization", "X-Api-Key", "Cookie"}

// dedupTransport shares one upstream call among identical reads in flight at the
// same moment: same method, URL (a vendor's keys may be in it), body and
// credentials. Each caller gets its own copy of the reply. Anything that
// is not a read passes straight through.
type dedupTransport struct {
	next   http.RoundTripper
	group  singleflight.Group
	shared atomic.Int64
}

// newDedup returns a dedupTransport in front of next.
func newDedup(next http.RoundTripper) *dedupTransport { return &dedupTransport{next: next} }

// Shared counts the calls answered from another caller's call in flight.
func (d *dedupTransport) Shared() int64 { return d.shared.Load() }

type sharedReply struct {
	resp *http.Response
	body []byte
}

// RoundTrip implements http.RoundTripper.
func (d *dedupTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !IsRead(req) {
		return d.next.RoundTrip(req)
	}
	key, err := requestKey(req)
	if err != nil {
		return nil, err
	}
	// leader is set only in the caller whose function runs; the channel
	// receive below orders the write before the read.
	leader := false
	ch := d.group.DoChan(key, func() (any, error) {
		leader = true
		// The call must outlive a caller that gives up, since others may
		// wait on it; it keeps the first caller's deadline.
		ctx := context.WithoutCancel(req.Context())
		if dl, ok := req.Context().Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, dl)
			defer cancel()
		} else {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Minute)
			defer cancel()
		}
		resp, err := d.next.RoundTrip(req.Clone(ctx))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
		if err != nil {
			return nil, err
		}
		return sharedReply{resp: resp, body: body}, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		if res.Shared && !leader {
			d.shared.Add(1)
		}
		r := res.Val.(sharedReply)
		out := *r.resp
		out.Header = r.resp.Header.Clone()
		out.Body = io.NopCloser(bytes.NewReader(r.body))
		out.ContentLength = int64(len(r.body))
		out.Request = req
		return &out, nil
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}

// requestKey identifies a read by what determines its answer. The body is
// read and put back so that the request can still be sent.
func requestKey(req *http.Request) (string, error) {
	h := sha256.New()
	h.Write([]byte(req.Method + " " + req.URL.String() + "\n"))
	for _, name := range credentialHeaders {
		h.Write([]byte(name + ": " + req.Header.Get(name) + "\n"))
	}
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return "", err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
