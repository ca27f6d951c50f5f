package outbound

import (
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxReplyBytes bounds a vendor reply unless the vendor's
// ChainOptions.MaxReplyBytes says otherwise. The largest documented reply
// (a page of 100 Apptivo customers or AppDirect accounts with every field)
// is a few hundred KiB; 4 MiB leaves ten times that, while twenty
// concurrent runaway replies cost tens of MiB, not gigabytes.
const DefaultMaxReplyBytes = 4 << 20

// maxBodyBytes is the most any reply may be, whatever a vendor's
// MaxReplyBytes says (it is also the buffer bound of the layers that read
// a reply whole).
const maxBodyBytes = 64 << 20

// replyLimit bounds every reply of the vendor while it is read, at each
// attempt: one announced larger (Content-Length) is refused before a byte
// of its body is read, and one that runs past the bound fails the read
// there, so that no layer above buffers more than the bound. Both fail
// with KindReplyTooLarge, which is not retried (the vendor would send it
// again) and which the GraphQL layer reports as VENDOR_REPLY_TOO_LARGE on
// the fields that needed the call. Without it, twenty concurrent 100 MB
// replies took the gateway to 1.9 GB: each layer that reads a body whole
// (dedup, cache, the client) held its own copy of up to 16 MiB.
type replyLimit struct {
	next   http.RoundTripper
	vendor string
	max    int64
}

func newReplyLimit(next http.RoundTripper, opts ChainOptions) http.RoundTripper {
	return &replyLimit{next: next, vendor: opts.Vendor, max: opts.MaxReplyBytes}
}

func (t *replyLimit) tooLarge() *Error {
	return &Error{Vendor: t.vendor, Kind: KindReplyTooLarge, Message: fmt.Sprintf("the vendor's reply is larger than the %d bytes the gateway accepts from it", t.max)}
}

// RoundTrip implements http.RoundTripper.
func (t *replyLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		_ = resp.Body.Close()
		return nil, t.tooLarge()
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.max, err: t.tooLarge}
	return resp, nil
}

// limitedBody reads at most left bytes of rc and then fails with err()
// if there is more.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	err  func() *Error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body that ends exactly at the bound from
		// one that runs past it.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, b.err()
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
