package apptivo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
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
	APIKey    string `env:"API_KEY,secret"`
	AccessKey string `env:"ACCESS_KEY,secret"`
	// BaseURL defaults to DefaultBaseURL. A path prefix is kept, so a
	// simulator mounted at http://127.0.0.1:9090/apptivo works.
	BaseURL string `env:"BASE_URL"`
	// HTTPClient supplies the transport chain below auth; nil means
	// outbound.NewHTTPClient with default options.
	HTTPClient *http.Client
}

// Client talks to the Apptivo customers API. It is safe for concurrent use.
// The embedded *outbound.Client supplies BaseURL (the API root, always
// ending in "/") and Do; NewRequest is its own, to keep the keys out of
// callers' parameters.
type Client struct {
	*outbound.Client
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
	return &Client{&outbound.Client{
		BaseURL:    base,
		Vendor:     Vendor,
		HTTPClient: outbound.WithTransport(hc, auth),
		Secrets:    outbound.NewSecrets(apiKey, accessKey),
	}}, nil
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

// NewRequest is outbound.Client's NewRequest (path relative to BaseURL,
// e.g. "customers"; query carries every Apptivo argument, JSON documents
// included, and url.Values does the escaping so that no value can break
// out of its parameter). It refuses apiKey and accessKey among the
// parameters: the keys are added by the auth transport when the request is
// sent, and nowhere else.
func (c *Client) NewRequest(ctx context.Context, op, method, path string, query url.Values, body any) (*http.Request, error) {
	for k := range query {
		if strings.EqualFold(k, "apiKey") || strings.EqualFold(k, "accessKey") {
			return nil, errors.New("apptivo: credentials are added by the client; do not pass them as parameters")
		}
	}
	return c.Client.NewRequest(ctx, op, method, path, query, body)
}

// call is the shared body of every operation: build, send, decode.
//
// A read (GET) carries its parameters in the URL query. A write (POST:
// save, update, delete) carries a= in the query, so that logs and the
// request line still say which method it is, and every other parameter in
// an application/x-www-form-urlencoded body: a whole customer record is
// kilobytes of JSON, which in a URL would meet the servers' request-line
// limits (see the package doc).
func (c *Client) call(ctx context.Context, op, method string, params url.Values, v any) error {
	query, form := params, url.Values(nil)
	if method == http.MethodPost {
		query, form = url.Values{"a": params["a"]}, url.Values{}
		for k, vs := range params {
			if k != "a" {
				form[k] = vs
			}
		}
	}
	req, err := c.NewRequest(ctx, op, method, "customers", query, nil)
	if err != nil {
		return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Err: err}
	}
	if form != nil {
		setForm(req, form.Encode())
	}
	return c.Do(ctx, req, v)
}

// setForm makes body the request's form body, replayable (GetBody) for
// any layer that has to send it again.
func setForm(req *http.Request, body string) {
	req.Body = io.NopCloser(strings.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
}

// failureBody is Apptivo's error reply: HTTP 200 (usually) with
// status FAILURE and a human-readable reason.
type failureBody struct {
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

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
	// Not cut here: outbound.Client.Do scrubs the keys first and cuts
	// after, so that a key echoed across the cut cannot leak its first
	// half.
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
