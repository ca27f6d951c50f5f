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

// readMode is how a read marked in its context may be served.
type readMode int

const (
	readShared readMode = iota + 1 // from the cache, or shared with identical reads in flight
	readFresh                      // past the cache, never shared: the read of a read-modify-write
)

// IdempotentRead marks ctx so that a POST sent under it (a lookup sent as
// POST, a GraphQL query) counts as a read: the
// chain may share it with identical reads in flight and retry it. GET
// requests are reads without marking. A vendor client marks only calls it
// knows change nothing; mutations are never marked.
func IdempotentRead(ctx context.Context) context.Context {
	return withCall(ctx, func(c *call) { c.mode = readShared })
}

// FreshRead marks ctx so that a read sent under it (GET, or a POST that
// changes nothing) is answered by the vendor itself: never from the read
// cache, never by joining an identical read already in flight. A vendor
// client reads fresh before a write it builds from the current record
// (read-modify-write), so that what it writes back is the vendor's latest
// state, not a copy from before another write. It is still retried as
// any read.
func FreshRead(ctx context.Context) context.Context {
	return withCall(ctx, func(c *call) { c.mode = readFresh })
}

// IsRead reports whether req may be retried (and, unless fresh, shared
// and cached).
func IsRead(req *http.Request) bool {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return true
	}
	return callOf(req.Context()).mode != 0
}

// isFresh reports whether req was sent under FreshRead.
func isFresh(req *http.Request) bool {
	return callOf(req.Context()).mode == readFresh
}

// credentialHeaders are the headers that make two otherwise identical
// requests different callers' requests.
var credentialHeaders = []string{"Authorization", "X-Api-Key", "Cookie"}

// dedupTransport shares one upstream call among identical reads in flight
// at the same moment: same method, URL (a vendor's keys may be in it),
// body and credentials, and begun after the same writes (the fence's
// epoch and generation in readCall.shareKey: a read never joins a call
// older than a write that came back before it started). Each caller gets
// its own copy of the reply. Fresh reads (FreshRead) and anything that is
// not a read pass straight through.
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
	rc := readCallFrom(req)
	if !IsRead(req) || isFresh(req) || rc != nil && rc.fresh {
		// A fresh read (FreshRead, or one the fence made fresh because a
		// write is in flight) never shares a call.
		return d.next.RoundTrip(req)
	}
	if rc == nil {
		// Outside a chain (no fence above): the request alone is the key.
		k, err := requestKey(req)
		if err != nil {
			return nil, err
		}
		rc = &readCall{key: k}
	}
	key := rc.shareKey()
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

// requestKey identifies a read by what determines its answer: method,
// URL, body, and its credentials (their AuthorizedAs identity, else its
// credential headers). The body is read and put back so that the request
// can still be sent.
func requestKey(req *http.Request) (string, error) {
	h := sha256.New()
	h.Write([]byte(req.Method + " " + req.URL.String() + "\n"))
	if id := callOf(req.Context()).identity; id != "" {
		h.Write([]byte("identity: " + id + "\n"))
	} else {
		for _, name := range credentialHeaders {
			h.Write([]byte(name + ": " + req.Header.Get(name) + "\n"))
		}
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
