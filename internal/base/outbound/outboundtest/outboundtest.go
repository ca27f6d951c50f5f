// Package outboundtest is the harness the vendor clients' fuzz targets
// share: the mapping of fuzzed numbers onto HTTP statuses, the fake reply
// checkResponse is shown, the invariants every *outbound.Error must keep
// whatever the vendor answered, a JSON round-trip check, and an httptest
// server that answers with the current fuzz input.
//
// It is an ordinary (non-_test) package only so that the _test files of
// several vendor packages can import it; it imports testify and testing,
// and nothing but tests may import it. What differs between vendors (the
// vendor name, the fake secrets, the bound on messages, the URL of the fake
// request, how a request's reply is rewritten) is a parameter; the seeds
// and the per-vendor invariants stay in each vendor's fuzz_test.go.
package outboundtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Status maps a fuzzed number onto an HTTP status in 100-599; the seeds'
// real statuses pass through unchanged.
func Status(n uint16) int {
	s := int(n)
	if s < 100 || s > 599 {
		s = 100 + s%500
	}
	return s
}

// Vendor is what one vendor's fuzz targets have in common: who the vendor
// is, the fake secrets its fuzzed clients are built with, and the request
// a reply is checked against.
type Vendor struct {
	// Name is the vendor name every error must carry (the package's
	// vendorName).
	Name string
	// Secrets are the fake credentials of the fuzzed clients.
	Secrets []string
	// Scrubbed says the client removes the secrets from every error (and
	// its cause), so none may appear even where the reply sent it.
	// Otherwise a secret may appear only when the reply itself sent it.
	Scrubbed bool
	// MaxMessage bounds len(Error.Message) in bytes; 0 leaves it unbounded.
	MaxMessage int
	// Method and RequestURL are the request the reply of Response answers
	// (Method defaults to GET). Put a secret in the URL's query, so a
	// decoder that ever copied request text into an error is caught.
	Method     string
	RequestURL string
}

// Response is the reply checkResponse is shown: status, an optional
// Retry-After, and the vendor's fake request.
func (v Vendor) Response(status int, retryAfter string) *http.Response {
	method := v.Method
	if method == "" {
		method = http.MethodGet
	}
	req, _ := http.NewRequest(method, v.RequestURL, nil)
	h := http.Header{}
	if retryAfter != "" {
		h["Retry-After"] = []string{retryAfter}
	}
	return &http.Response{StatusCode: status, Header: h, Request: req}
}

// NonSuccess requires checkResponse's verdict e on a reply of status to be
// a success for every 2xx and an error for every other status, and
// reports whether it is an error, to be checked further.
func NonSuccess(t testing.TB, status int, e *outbound.Error) bool {
	t.Helper()
	if status >= 200 && status < 300 {
		require.Nil(t, e, "a 2xx is a success")
		return false
	}
	require.NotNil(t, e, "status %d is an error", status)
	return true
}

// queryURL finds a URL with a query string; group 1 is the query.
var queryURL = regexp.MustCompile(`(?i)https?://[^\s?]*\?(\S*)`)

// CheckError asserts what every error the client returns must satisfy: it
// is an *outbound.Error of this vendor with a known Kind and a non-negative
// RetryAfter, its message is valid UTF-8 (and bounded, when MaxMessage is
// set), no secret is in its text (see Scrubbed), and it holds no URL with a
// query string unless redacted or sent by the reply itself. reply is all
// the bytes the vendor sent for the call. It returns the *outbound.Error.
func (v Vendor) CheckError(t testing.TB, err error, reply []byte) *outbound.Error {
	t.Helper()
	var e *outbound.Error
	require.True(t, errors.As(err, &e), "want *outbound.Error, got %T: %v", err, err)
	assert.Equal(t, v.Name, e.Vendor)
	assert.False(t, strings.HasPrefix(e.Kind.String(), "kind("), "unknown kind %d", e.Kind)
	assert.GreaterOrEqual(t, e.RetryAfter, time.Duration(0), "negative RetryAfter")
	assert.True(t, utf8.ValidString(e.Message), "message is not UTF-8: %q", e.Message)
	if v.MaxMessage > 0 {
		assert.LessOrEqual(t, len(e.Message), v.MaxMessage, "message is not bounded")
	}
	text := err.Error()
	src := ReplyText(reply)
	for _, s := range v.Secrets {
		switch {
		case v.Scrubbed:
			assert.NotContains(t, text, s, "secret leaked into the error text")
			if e.Err != nil {
				assert.NotContains(t, e.Err.Error(), s, "secret leaked into the cause")
			}
		case !strings.Contains(src, s):
			assert.NotContains(t, text, s, "secret leaked into the error text")
		}
	}
	for _, m := range queryURL.FindAllStringSubmatch(text, -1) {
		if strings.HasPrefix(m[1], "REDACTED") {
			continue
		}
		prefix := strings.TrimSuffix(m[0], m[1])
		assert.Contains(t, src, prefix, "error text has a URL with a query string the reply did not send: %s", text)
	}
	return e
}

// CheckCallError is CheckError for the error of a whole client call whose
// every reply had the given status: an error with no HTTP status is a
// transport failure, and one with another status is the 200 a call reports
// for a 2xx reply it could not use.
func (v Vendor) CheckCallError(t testing.TB, err error, reply []byte, status int) *outbound.Error {
	t.Helper()
	e := v.CheckError(t, err, reply)
	if e.HTTPStatus == 0 {
		assert.Contains(t, []outbound.Kind{outbound.KindUnavailable, outbound.KindTimeout}, e.Kind, "no reply is a transport failure: %v", err)
	} else if e.HTTPStatus != status {
		assert.True(t, status >= 200 && status < 300 && e.HTTPStatus == http.StatusOK, "HTTPStatus %d for a %d reply: %v", e.HTTPStatus, status, err)
	}
	return e
}

// ReplyText is all the text a reply could legitimately put into an error:
// its raw bytes and, when it is JSON, every key and string in it decoded.
func ReplyText(body []byte) string {
	var b strings.Builder
	b.Write(body)
	var v any
	if json.Unmarshal(body, &v) == nil {
		collect(v, &b)
	}
	return b.String()
}

func collect(v any, b *strings.Builder) {
	switch t := v.(type) {
	case string:
		b.WriteString("\n" + t)
	case []any:
		for _, e := range t {
			collect(e, b)
		}
	case map[string]any:
		for k, e := range t {
			b.WriteString("\n" + k)
			collect(e, b)
		}
	}
}

// RoundTrip checks encode(decode(encode(v))) == encode(v), decoding into
// fresh, a pointer to a zero value of v's type.
func RoundTrip(t testing.TB, v, fresh any) {
	t.Helper()
	enc, err := json.Marshal(v)
	require.NoError(t, err, "a decoded reply must re-encode")
	require.NoError(t, json.Unmarshal(enc, fresh), "re-encoded reply must decode: %s", enc)
	enc2, err := json.Marshal(fresh)
	require.NoError(t, err)
	assert.Equal(t, string(enc), string(enc2))
}

// RoundTripperFunc adapts a function to http.RoundTripper, for tests that
// stand in for the wire or watch what reaches it.
type RoundTripperFunc func(*http.Request) (*http.Response, error)

// RoundTrip implements http.RoundTripper.
func (f RoundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
