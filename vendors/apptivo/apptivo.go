package apptivo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchyard/switchyard/internal/outbound"
)

// DefaultBaseURL is Apptivo's production API root; resource paths such as
// "customers" resolve below it.
const DefaultBaseURL = "https://api.apptivo.com/app/dao/v6/"

// Name is the Vendor of every *outbound.Error this package returns.
const Name = "apptivo"

// Vendor is how the outbound chain and the shared client read Apptivo's
// replies. Apptivo reports most failures, its rate limit included, as HTTP
// 200 with status FAILURE, so the chain must read 2xx replies too for a
// rate-limited read to be retried.
var Vendor = outbound.Vendor{Name: Name, Check: checkResponse, ErrorsIn2xx: true}

// customersObjectID is Apptivo's object id for the customers app; update
// and advanced search must name it (objectId=3).
const customersObjectID = "3"

// Config configures a Client. APIKey and AccessKey are the business
// account's key pair (Business Settings -> API Access).
type Config struct {
	APIKey    string
	AccessKey string
	// BaseURL defaults to DefaultBaseURL. A path prefix is kept, so a
	// simulator mounted at http://127.0.0.1:9090/apptivo works.
	BaseURL string
	// HTTPClient supplies the transport chain below auth; nil means
	// outbound.NewHTTPClient with default options.
	HTTPClient *http.Client
}

// Client talks to the Apptivo customers API. It is safe for concurrent use.
type Client struct {
	// BaseURL is the API root, always ending in "/".
	BaseURL *url.URL

	client  *http.Client
	secrets []string
}

// New builds a Client. The key pair is required because Apptivo refuses
// every call without it; failing here is clearer than a FAILURE per call.
func New(cfg Config) (*Client, error) {
	apiKey, accessKey := strings.TrimSpace(cfg.APIKey), strings.TrimSpace(cfg.AccessKey)
	if apiKey == "" || accessKey == "" {
		return nil, errors.New("apptivo: api key and access key are required")
	}
	raw := cfg.BaseURL
	if strings.TrimSpace(raw) == "" {
		raw = DefaultBaseURL
	}
	base, err := outbound.ParseBaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("apptivo: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = outbound.NewHTTPClient(outbound.TransportOptions{})
	}
	auth := &authTransport{
		apiKey:    apiKey,
		accessKey: accessKey,
		scheme:    base.Scheme,
		host:      base.Host,
		next:      outbound.Base(hc),
	}
	return &Client{
		BaseURL: base,
		client:  outbound.WithTransport(hc, auth),
		secrets: []string{apiKey, accessKey},
	}, nil
}

// authTransport adds apiKey and accessKey to the URL query of each request.
// It is the only place the keys are handled, and it works on a clone: the
// RoundTripper contract forbids changing the caller's request, and keeping
// the keys off it means no error built from that request can show them.
type authTransport struct {
	apiKey, accessKey string
	scheme, host      string
	next              http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Only the configured Apptivo host gets the keys: a redirect to another
	// host must not carry them (Go's client strips Authorization headers on
	// such redirects, but knows nothing of credentials in the query).
	if !strings.EqualFold(req.URL.Scheme, t.scheme) || !strings.EqualFold(req.URL.Host, t.host) {
		return t.next.RoundTrip(req)
	}
	r2 := req.Clone(req.Context())
	q := r2.URL.Query()
	q.Set("apiKey", t.apiKey)
	q.Set("accessKey", t.accessKey)
	r2.URL.RawQuery = q.Encode()
	return t.next.RoundTrip(r2)
}

// NewRequest builds a request for path (relative to BaseURL, e.g.
// "customers") with params as its URL query. Apptivo takes every argument,
// JSON documents included, as a query parameter, and url.Values does the
// escaping so that no value can break out of its parameter. The keys are
// not added here; the auth transport adds them when the request is sent.
func (c *Client) NewRequest(method, path string, params url.Values) (*http.Request, error) {
	if strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("apptivo: request path %q must be relative to the base URL", path)
	}
	rel, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("apptivo: request path: %w", outbound.RedactedError(err))
	}
	u := c.BaseURL.ResolveReference(rel)
	q := u.Query()
	for k, vs := range params {
		if strings.EqualFold(k, "apiKey") || strings.EqualFold(k, "accessKey") {
			return nil, errors.New("apptivo: credentials are added by the client; do not pass them as parameters")
		}
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("apptivo: new request: %w", outbound.RedactedError(err))
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// Do sends req under ctx and decodes a successful JSON reply into v (when v
// is not nil). Failures come back as *outbound.Error built by
// checkResponse; the operation name is taken from the a= parameter.
func (c *Client) Do(ctx context.Context, req *http.Request, v any) error {
	req = req.WithContext(ctx)
	err := outbound.Do(c.client, req, Name, operationName(req.URL.Query().Get("a")), checkResponse, v)
	return c.scrub(err)
}

// call is the shared body of every operation: build, send, decode.
func (c *Client) call(ctx context.Context, method string, params url.Values, v any) error {
	req, err := c.NewRequest(method, "customers", params)
	if err != nil {
		return &outbound.Error{Vendor: Name, Operation: operationName(params.Get("a")), Kind: outbound.KindBadInput, Err: err}
	}
	return c.Do(ctx, req, v)
}

// scrub removes the key values from an error's text. The URL is already
// kept out by outbound.Do; this guards against the vendor (or a proxy)
// echoing a key back in its reason text.
func (c *Client) scrub(err error) error {
	var e *outbound.Error
	if !errors.As(err, &e) {
		return err
	}
	defer func() { e.Message = outbound.Truncate(e.Message, maxMessage) }()
	if !c.containsSecret(e.Error()) && (e.Err == nil || !c.containsSecret(e.Err.Error())) {
		return err
	}
	e.Message = c.redact(e.Message)
	if e.Err != nil {
		e.Err = scrubbedError{err: e.Err, redact: c.redact}
	}
	return err
}

func (c *Client) containsSecret(s string) bool {
	for _, k := range c.secrets {
		if k != "" && strings.Contains(s, k) {
			return true
		}
	}
	return false
}

func (c *Client) redact(s string) string {
	for _, k := range c.secrets {
		if k != "" {
			s = strings.ReplaceAll(s, k, "REDACTED")
		}
	}
	return s
}

// scrubbedError keeps the cause inspectable while its text has the keys
// replaced.
type scrubbedError struct {
	err    error
	redact func(string) string
}

func (s scrubbedError) Error() string { return s.redact(s.err.Error()) }
func (s scrubbedError) Unwrap() error { return s.err }

// operationName maps Apptivo's a= method to the operation named in errors.
func operationName(a string) string {
	switch a {
	case "getConfigData":
		return "get config data"
	case "save":
		return "create customer"
	case "update":
		return "update customer"
	case "getAll":
		return "list customers"
	case "getAllByAdvancedSearch":
		return "search customers"
	case "getById":
		return "get customer"
	case "delete":
		return "delete customer"
	case "":
		return "customers"
	}
	return "customers " + a
}

// failureBody is Apptivo's error reply: HTTP 200 (usually) with
// status FAILURE and a human-readable reason.
type failureBody struct {
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// maxMessage bounds how much vendor text goes into an error.
const maxMessage = 300

// checkResponse is the one place Apptivo replies are judged. Apptivo
// reports most failures as HTTP 200 with a FAILURE body, so the body is
// inspected on every status, and the reason text decides the Kind where the
// status cannot.
func checkResponse(resp *http.Response, body []byte) *outbound.Error {
	var fb failureBody
	failure := json.Unmarshal(body, &fb) == nil && strings.EqualFold(strings.TrimSpace(fb.Status), "FAILURE")
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok && !failure {
		return nil
	}
	reason := strings.TrimSpace(fb.Reason)
	if reason == "" {
		reason = strings.TrimSpace(fb.Message)
	}
	// Not cut here: Do scrubs the keys first and cuts after (see scrub),
	// so that a key echoed across the cut cannot leak its first half.
	reason = outbound.RedactURLs(reason)

	var e *outbound.Error
	if ok {
		e = &outbound.Error{Kind: outbound.KindBadInput, HTTPStatus: resp.StatusCode}
	} else {
		e = outbound.StatusError(resp)
	}
	e.Message = reason
	if ok || ambiguousStatus(resp.StatusCode) {
		if k, found := kindForReason(reason); found {
			e.Kind = k
			e.Retryable = k == outbound.KindRateLimited
		}
	}
	if e.Message == "" && !ok {
		e.Message = strings.ToLower(http.StatusText(resp.StatusCode))
	}
	return e
}

// ambiguousStatus reports whether a non-2xx status leaves room for the
// reason to decide the Kind: a plain 4xx does, while 408, 429 and 5xx say
// clearly what happened.
func ambiguousStatus(status int) bool {
	return status >= 400 && status < 500 && status != 408 && status != 429
}

// kindForReason classifies Apptivo's free-text reason.
func kindForReason(reason string) (outbound.Kind, bool) {
	lower := strings.ToLower(reason)
	switch {
	case strings.Contains(reason, "Key") || strings.Contains(lower, "api key") || strings.Contains(lower, "apikey") ||
		strings.Contains(lower, "access key") || strings.Contains(lower, "accesskey"):
		return outbound.KindAuth, true
	case strings.Contains(lower, "not found") || strings.Contains(lower, "does not exist"):
		return outbound.KindNotFound, true
	case strings.Contains(lower, "rate limit") || strings.Contains(lower, "too many"):
		return outbound.KindRateLimited, true
	}
	return 0, false
}
