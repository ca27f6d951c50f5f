package outbound

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckFunc inspects a complete reply and returns nil when it is a success,
// or the vendor's typed error built from its status and error body. Each
// vendor client has exactly one.
type CheckFunc func(resp *http.Response, body []byte) *Error

// do sends req with hc, turns transport failures into *Error, lets check
// classify the reply, and decodes a successful JSON body into v (when v is
// not nil). Client.Do funnels every vendor call through here so that
// error construction and body limits are written once. The operation
// travels in the request's context (WithOperation), so that the chain can
// name the call in its metrics and spans: Client.Do has put it there.
func do(hc *http.Client, req *http.Request, vendor, op string, check CheckFunc, v any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return FromTransport(vendor, op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return FromTransport(vendor, op, err)
	}
	if len(body) > maxBodyBytes {
		return &Error{Vendor: vendor, Operation: op, Kind: KindUpstream, HTTPStatus: resp.StatusCode, Message: "reply larger than the gateway accepts"}
	}
	if e := check(resp, body); e != nil {
		if e.Vendor == "" {
			e.Vendor = vendor
		}
		if e.Operation == "" {
			e.Operation = op
		}
		if e.HTTPStatus == 0 {
			e.HTTPStatus = resp.StatusCode
		}
		return e
	}
	if v == nil {
		return nil
	}
	if err := DecodeJSON(body, v); err != nil {
		return &Error{Vendor: vendor, Operation: op, Kind: KindUpstream, HTTPStatus: resp.StatusCode, Message: "malformed reply", Err: err}
	}
	return nil
}

// DecodeJSON decodes one JSON value and refuses trailing garbage, so a
// reply cut or corrupted mid-way is reported rather than half-used.
//
// json.Unmarshal already refuses anything after the value, and reads the
// body in place; a json.Decoder would first copy it into its own buffer.
func DecodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode reply: %w", err)
	}
	return nil
}

// StatusError is the default error for a non-2xx reply: classified by
// status, retryable per RetryableStatus, with Retry-After honoured. Clients
// call it and then fill in the vendor's code and message from its body.
func StatusError(resp *http.Response) *Error {
	return &Error{
		Kind:       KindForStatus(resp.StatusCode),
		HTTPStatus: resp.StatusCode,
		Retryable:  RetryableStatus(resp.StatusCode),
		RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}

// ParseRetryAfter reads a Retry-After header in either of its forms
// (delta-seconds or an HTTP date). It returns 0 when absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		return Seconds(float64(secs))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// ParseBaseURL parses a vendor base URL and makes sure its path ends in a
// slash, so that relative resource paths resolve below it: a simulator
// mounted at http://127.0.0.1:9090/acme must get /acme/v1/..., not /v1/....
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("parse base URL: %w", RedactedError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("base URL has no host")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// RedactedError returns err with any URL query string or userinfo removed
// from its text, keeping it unwrappable.
func RedactedError(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return redactedCause{ue.Err}
	}
	return redactedCause{err}
}

// maxWait caps a vendor-given wait: a day is already far beyond any
// deadline, and a larger number would overflow time.Duration.
const maxWait = 24 * time.Hour

// Seconds turns a vendor's wait in seconds (Retry-After, or a wait a
// vendor puts in its body) into a Duration, 0 for nonsense (negative, NaN) and at
// most a day, so that no reply can produce a negative or overflowed wait.
func Seconds(secs float64) time.Duration {
	if !(secs > 0) { // also NaN
		return 0
	}
	if secs >= maxWait.Seconds() {
		return maxWait
	}
	return time.Duration(secs * float64(time.Second))
}

// truncate bounds vendor text copied into an error to max bytes without
// cutting a UTF-8 character in half, marking the cut with an ellipsis.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
