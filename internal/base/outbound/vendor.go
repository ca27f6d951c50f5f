package outbound

import "net/http"

// Vendor describes one vendor to everything in this package that must
// judge its replies: the retry layer of its chain and the shared Client.
// Each vendor package declares its descriptor once, next to its reply
// parser, so that there is exactly one reading of a vendor's replies and
// this package holds no vendor's name or reply format: the retry layer
// decides "try again, after how long" from the same *Error the caller
// would get, not from a second parser of its own.
type Vendor struct {
	// Name is the vendor's key in errors, metrics, spans and config.
	Name string
	// Check is the vendor's one classifier of replies: nil for a success,
	// else the *Error with Kind, Code, Message, Retryable and RetryAfter
	// (the Retry-After header through StatusError, or whatever wait the
	// vendor puts in its body). Nil means by status alone: 2xx is a
	// success, anything else StatusError.
	Check CheckFunc
	// ErrorsIn2xx says the vendor reports failures inside 2xx replies, so
	// the retry layer must read the 2xx replies of reads too. Vendors that
	// do not leave 2xx replies streaming through the chain untouched.
	ErrorsIn2xx bool
	// Uncacheable, when set, keeps out of the read cache a reply that
	// Check accepts but that is no answer to keep (a GraphQL reply whose
	// errors the client reads itself). Nil: every reply Check accepts may
	// be kept.
	Uncacheable func(resp *http.Response, body []byte) bool
}

// defaultCheck is the classifier of a vendor that sends nothing beyond
// its status: 2xx is a success, anything else StatusError.
func defaultCheck(resp *http.Response, _ []byte) *Error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return StatusError(resp)
}

// check is v's classifier, defaultCheck when it has none.
func (v Vendor) check() CheckFunc {
	if v.Check == nil {
		return defaultCheck
	}
	return v.Check
}
