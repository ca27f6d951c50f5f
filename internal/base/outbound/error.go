// Package outbound holds what every vendor client shares: the one typed
// vendor error, the request executor that builds it, and the HTTP transport
// chain each client is constructed with. A vendor client knows its paths,
// its JSON and its error body; everything generic about talking to a vendor
// over HTTP lives here once.
package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Kind classifies a vendor failure by what the caller can do about it. The
// GraphQL error presenter maps each Kind to one extensions.code, so the set
// here is the set of vendor-originated codes a client can see.
type Kind int

const (
	// KindUpstream is a vendor failure that is neither the caller's fault nor
	// transient: a 5xx, an undecodable body, an unexpected status.
	KindUpstream Kind = iota
	// KindBadInput is a 400/422 the vendor blames on the request.
	KindBadInput
	// KindNotFound is an unknown record.
	KindNotFound
	// KindConflict is a uniqueness or state clash (a duplicate name).
	KindConflict
	// KindFailedPrecondition is a business rule that refuses the operation
	// in the record's current state (an account that still has
	// memberships, one that is not archived yet).
	KindFailedPrecondition
	// KindAuth is the vendor refusing our credentials (401/403).
	KindAuth
	// KindUnavailable is a vendor we could not reach or that said 502/503/504.
	KindUnavailable
	// KindTimeout is a vendor that did not answer within the deadline.
	KindTimeout
	// KindRateLimited is a vendor answering 429.
	KindRateLimited
	// KindNotConfigured is a vendor with no credentials in this deployment.
	KindNotConfigured
	// KindBudgetExceeded is a call the gateway refused because the client
	// request had already made as many vendor calls as it may (see
	// WithCallBudget); the vendor was not called.
	KindBudgetExceeded
	// KindReplyTooLarge is a reply past the vendor's reply bound
	// (ChainOptions.MaxReplyBytes): refused while it was read.
	KindReplyTooLarge
)

var kindNames = [...]string{
	KindUpstream:           "upstream",
	KindBadInput:           "bad input",
	KindNotFound:           "not found",
	KindConflict:           "conflict",
	KindFailedPrecondition: "failed precondition",
	KindAuth:               "authentication failed",
	KindUnavailable:        "unavailable",
	KindTimeout:            "timeout",
	KindRateLimited:        "rate limited",
	KindNotConfigured:      "not configured",
	KindBudgetExceeded:     "call budget exceeded",
	KindReplyTooLarge:      "reply too large",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is the one error type every vendor client returns for a failed
// vendor call. Its text never contains a URL, a header or a credential: it
// is built from the vendor name, the operation, the status and the vendor's
// own message, and a transport error is reduced to its cause before it is
// wrapped (see FromTransport).
type Error struct {
	Vendor     string        // the vendor's Name (see Vendor)
	Operation  string        // e.g. "archive accounts"
	Kind       Kind          // what the caller can do about it
	HTTPStatus int           // 0 when no response arrived
	Code       string        // the vendor's own error code, if it sent one
	Message    string        // the vendor's own message, if it sent one
	Retryable  bool          // whether the same request could succeed later
	RetryAfter time.Duration // the wait the vendor asked for, if any
	// IDs names the records a failed chunk of a split request covered, so a
	// caller knows exactly what was not done.
	IDs []string
	Err error // the underlying cause, already free of URLs
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Vendor)
	if e.Operation != "" {
		b.WriteString(": ")
		b.WriteString(e.Operation)
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.String())
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil && e.Message == "" {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindForStatus is the default classification of an HTTP status, used by
// every client's checkResponse before it looks at the vendor's body.
func KindForStatus(status int) Kind {
	switch {
	case status == 400 || status == 422:
		return KindBadInput
	case status == 401 || status == 403:
		return KindAuth
	case status == 404:
		return KindNotFound
	case status == 409:
		return KindConflict
	case status == 429:
		return KindRateLimited
	case status == 502 || status == 503 || status == 504:
		return KindUnavailable
	case status == 408:
		return KindTimeout
	default:
		return KindUpstream
	}
}

// RetryableStatus reports whether a request that got this status could
// succeed if sent again unchanged: 429, 502, 503 and 504, the statuses the
// README documents as retried. It is the one list; a vendor whose body
// says more sets Retryable in its Check.
func RetryableStatus(status int) bool {
	switch status {
	case 429, 502, 503, 504:
		return true
	}
	return false
}

// FromTransport turns an error from http.Client.Do or from reading a body
// into an *Error. A *url.Error is unwrapped first, because its text carries
// the full request URL, and a vendor's keys may travel in the URL. An *Error
// made by the chain itself (breaker open, client-side rate limit) comes
// back as a copy with vendor and op filled in: the chain does not know the
// operation, and the original may be shared by deduplicated callers.
//
// Every way a deadline can end a call is KindTimeout: the context's
// DeadlineExceeded, net/http's "Client.Timeout exceeded while awaiting
// headers" and "Client.Timeout or context cancellation while reading
// body" (net.Error timeouts), and a dial or header timeout.
func FromTransport(vendor, op string, err error) *Error {
	var ve *Error
	if errors.As(err, &ve) {
		c := *ve
		if c.Vendor == "" {
			c.Vendor = vendor
		}
		if c.Operation == "" {
			c.Operation = op
		}
		return &c
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	e := &Error{Vendor: vendor, Operation: op, Kind: KindUnavailable, Retryable: true, Err: redactedCause{cause}}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		e.Kind = KindTimeout
	case errors.Is(err, context.Canceled):
		e.Kind = KindTimeout
		e.Retryable = false
	}
	return e
}

// redactedCause keeps the cause inspectable with errors.Is/As while making
// sure its text has no URL in it (a wrapped *url.Error deeper down would
// otherwise still print one), and no address either: a network error's
// text names the vendor's resolved IP, our own source address or the DNS
// resolver ("dial tcp 10.0.0.5:443: connect: connection refused", "lookup
// x on 127.0.0.53:53: no such host"), which tells a client about the
// gateway's network. Those are reduced to a fixed phrase (see
// transportPhrase); the original stays reachable through Unwrap.
type redactedCause struct{ err error }

func (r redactedCause) Error() string {
	if p := transportPhrase(r.err); p != "" {
		return p
	}
	return RedactURLs(r.err.Error())
}
func (r redactedCause) Unwrap() error { return r.err }

// RedactURLs removes the query string of any URL in s. It is the last line
// of defence for text that came from outside our own error type.
func RedactURLs(s string) string {
	fields := strings.Fields(s)
	changed := false
	for i, f := range fields {
		trimmed := strings.Trim(f, `"'(),;`)
		if !strings.Contains(trimmed, "://") {
			continue
		}
		if j := strings.IndexAny(trimmed, "?#"); j >= 0 {
			fields[i] = strings.Replace(f, trimmed, trimmed[:j]+"?REDACTED", 1)
			changed = true
		}
		if u, err := url.Parse(trimmed); err == nil && u.User != nil {
			fields[i] = strings.Replace(fields[i], u.User.String()+"@", "REDACTED@", 1)
			changed = true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(fields, " ")
}

// transportPhrase is the fixed text for a network-level failure, or ""
// when err is not one. The phrases name what went wrong, never where.
func transportPhrase(err error) string {
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		ne      net.Error
	)
	switch {
	case errors.As(err, &dnsErr):
		return "DNS lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.As(err, &certErr), errors.As(err, &recErr):
		return "TLS handshake failed"
	case errors.As(err, &opErr) && errors.As(err, &ne) && ne.Timeout():
		return "timed out" // "dial tcp 10.0.0.5:443: i/o timeout"
	case errors.As(err, &opErr):
		return "network error"
	}
	return ""
}
