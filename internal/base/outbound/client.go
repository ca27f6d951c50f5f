package outbound

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// MaxMessage bounds, in bytes, the vendor text an *Error carries in
// Message and Code (a cut is marked with "…", see truncate), so that an
// unexpected page-sized body cannot bloat logs and GraphQL replies. The
// shared Client applies it once, after scrubbing credentials, so that a
// credential echoed across the cut cannot leak its first half.
const MaxMessage = 500

// redacted replaces a credential found in vendor text.
const redacted = "REDACTED"

// Client is the part of a vendor client that is the same for every
// vendor, go-github style: a vendor client embeds *Client, so that
// NewRequest and Do have one shape for all of them, and keeps to itself
// only its paths, its JSON and its descriptor's Check.
//
// Every error Do returns is an *Error built by the vendor's Check (or by
// the transport), with the vendor's credentials scrubbed from its text and
// its message bounded by MaxMessage: a vendor (or a proxy) that echoes a
// request in its error body cannot leak a key to a GraphQL client.
type Client struct {
	// BaseURL is where resource paths resolve; it always ends in "/" (see
	// ParseBaseURL), so a path prefix survives.
	BaseURL *url.URL
	// Vendor names the vendor and reads its replies.
	Vendor Vendor
	// HTTPClient is the vendor's transport chain with its auth layer on top.
	HTTPClient *http.Client
	// Secrets are the vendor's credentials, in every form they travel.
	Secrets *Secrets
}

// NewRequest builds a request for the operation op (its human name, e.g.
// "archive accounts", used in errors, metrics and spans) on path, which is
// relative to BaseURL: a leading slash is refused, since it would silently
// drop a base path prefix. query is added to the URL (a vendor may take every
// argument there; url.Values does the escaping), and body, when not nil,
// is sent as JSON (HTML characters left as they are). The operation
// travels in the request's context (WithOperation); credentials are added
// by the vendor's auth transport when the request is sent, never here.
func (c *Client) NewRequest(ctx context.Context, op, method, path string, query url.Values, body any) (*http.Request, error) {
	name := c.Vendor.Name
	if ctx == nil {
		return nil, fmt.Errorf("%s: nil context", name)
	}
	if strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%s: resource path %q must be relative to the base URL", name, path)
	}
	u, err := c.BaseURL.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("%s: resource path: %w", name, RedactedError(err))
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	var r io.Reader
	if body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", name, err)
		}
		r = bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	if op != "" {
		ctx = WithOperation(ctx, op)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
	if err != nil {
		return nil, fmt.Errorf("%s: build request: %w", name, RedactedError(err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// Do sends req under ctx and decodes a successful JSON reply into v (when
// v is not nil). The operation is the one NewRequest (or ctx) named with
// WithOperation, else "METHOD path" with the path relative to BaseURL.
// Every failure is an *Error, scrubbed and bounded (see Scrub).
func (c *Client) Do(ctx context.Context, req *http.Request, v any) error {
	if ctx == nil {
		return fmt.Errorf("%s: nil context", c.Vendor.Name)
	}
	op := OperationFrom(req.Context())
	if op == "" {
		op = OperationFrom(ctx)
	}
	if op == "" {
		op = req.Method + " " + strings.TrimPrefix(req.URL.Path, c.BaseURL.Path)
	}
	// One request copy at most, none when the caller passes back
	// req.Context(), which NewRequest gave the operation already.
	if ctx != req.Context() || OperationFrom(ctx) != op {
		req = req.WithContext(WithOperation(ctx, op))
	}
	err := do(c.HTTPClient, req, c.Vendor.Name, op, c.Vendor.check(), v)
	return c.Scrub(err)
}

// Scrub makes err fit to leave the gateway: when it is an *Error, every
// credential of the vendor is replaced with REDACTED in its Message, its
// Code and the text of its cause (which stays unwrappable), and Message
// and Code are then cut to MaxMessage. Do calls it; a vendor client calls
// it itself only for an *Error it builds from vendor text outside Do.
func (c *Client) Scrub(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	e.Message = truncate(c.Secrets.Replace(e.Message), MaxMessage)
	e.Code = truncate(c.Secrets.Replace(e.Code), MaxMessage)
	if e.Err != nil && c.Secrets.In(e.Err.Error()) {
		e.Err = scrubbedError{err: e.Err, secrets: c.Secrets}
	}
	return err
}

// scrubbedError keeps the cause inspectable with errors.Is/As while its
// text has the credentials replaced.
type scrubbedError struct {
	err     error
	secrets *Secrets
}

func (s scrubbedError) Error() string { return s.secrets.Replace(s.err.Error()) }
func (s scrubbedError) Unwrap() error { return s.err }

// maxRotating is how many run-time credentials (OAuth access tokens) a
// Secrets remembers: the current one and a few before it, which requests
// still in flight may carry. An older one can no longer be echoed.
const maxRotating = 8

// Secrets is the set of one vendor's credentials, in every form they
// travel, that Scrub removes from vendor text: the configured values
// (and their URL-query encoding), derived forms such as a Basic
// Authorization value (AddBasic), and credentials obtained at run time
// (AddRotating). Safe for concurrent use; a nil *Secrets holds nothing.
type Secrets struct {
	mu       sync.RWMutex
	fixed    []string
	rotating []string
	all      []string // fixed and rotating, longest first
}

// NewSecrets returns a set holding vals (see Add).
func NewSecrets(vals ...string) *Secrets {
	s := &Secrets{}
	s.Add(vals...)
	return s
}

// Add remembers each non-empty value in every encoding a vendor may echo
// it in (see encodings).
func (s *Secrets) Add(vals ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		if v == "" {
			continue
		}
		s.fixed = append(s.fixed, encodings(v)...)
	}
	s.rebuild()
}

// minEncoded is the shortest derived form kept: a shorter run of base64
// or hex would match ordinary text.
const minEncoded = 8

// encodings lists v as a vendor may echo it back: as sent, URL-encoded
// (query and path), JSON-escaped (with "/" as "\/" too, as PHP and Java
// encoders write it), base64 in its four alphabets, also where v sits at
// any offset inside a longer base64 text (the groups that hold only v's
// bytes), and hex. Matching ignores ASCII case (see foldASCII), which
// covers an upper-cased echo and upper-case hex.
func encodings(v string) []string {
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html) // "&" as \u0026, or as it is
		if enc.Encode(v) == nil {
			js := strings.TrimSuffix(b.String(), "\n")
			js = js[1 : len(js)-1]
			forms = append(forms, js, strings.ReplaceAll(js, "/", `\/`))
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(v)))
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for offset := 0; offset < 3; offset++ {
			// v after offset bytes of anything: drop the group that mixes
			// those bytes with v's and the last, which mixes v's with what
			// follows.
			full := enc.EncodeToString(append(make([]byte, offset), v...))
			start, end := 0, len(full)/4*4
			if offset > 0 {
				start = 4
			}
			if end-start >= minEncoded {
				forms = append(forms, full[start:end])
			}
		}
	}
	forms = append(forms, hex.EncodeToString([]byte(v)))
	out := forms[:0]
	for i, f := range forms {
		if i == 0 || len(f) >= minEncoded {
			out = append(out, foldASCII(f))
		}
	}
	return out
}

// foldASCII lower-cases ASCII letters only, so that the folded text keeps
// the byte offsets of the original.
func foldASCII(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// AddBasic remembers the Basic Authorization value of user and password,
// in both encodings clients use: the raw pair (net/http's SetBasicAuth)
// and the URL-encoded pair (OAuth2 client authentication, RFC 6749 2.3.1).
func (s *Secrets) AddBasic(user, password string) {
	raw := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	enc := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(user) + ":" + url.QueryEscape(password)))
	s.Add(raw, enc)
}

// AddRotating remembers a credential obtained at run time (an OAuth access
// token), keeping the last few (maxRotating); a value already held is not
// added again.
func (s *Secrets) AddRotating(v string) {
	if s == nil || v == "" || s.holds(v) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.rotating, v) {
		return
	}
	s.rotating = append(s.rotating, v)
	if len(s.rotating) > maxRotating {
		s.rotating = s.rotating[len(s.rotating)-maxRotating:]
	}
	s.rebuild()
}

func (s *Secrets) holds(v string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Contains(s.rotating, v) || slices.Contains(s.all, foldASCII(v))
}

// rebuild recomputes all; the longest value is replaced first, so that a
// value containing another is not left half-replaced.
func (s *Secrets) rebuild() {
	all := make([]string, 0, len(s.fixed)+len(s.rotating))
	all = append(all, s.fixed...)
	for _, v := range s.rotating {
		all = append(all, encodings(v)...)
	}
	slices.SortStableFunc(all, func(a, b string) int { return len(b) - len(a) })
	s.all = slices.Compact(all)
}

// In reports whether text contains any of the credentials, in any of
// their encodings and in any ASCII case.
func (s *Secrets) In(text string) bool {
	if s == nil || text == "" {
		return false
	}
	folded := foldASCII(text)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.all {
		if strings.Contains(folded, v) {
			return true
		}
	}
	return false
}

// Replace returns text with every credential, in any of its encodings
// and in any ASCII case, replaced by REDACTED.
func (s *Secrets) Replace(text string) string {
	if !s.In(text) {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.all {
		for from := 0; ; {
			i := strings.Index(foldASCII(text[from:]), v)
			if i < 0 {
				break
			}
			i += from
			text = text[:i] + redacted + text[i+len(v):]
			from = i + len(redacted)
		}
	}
	return text
}
