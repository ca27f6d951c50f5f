package cordial

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchyard/switchyard/internal/outbound"
)

// DefaultBaseURL is Cordial's API host for accounts on admin.cordial.io.
// Accounts on other hosts (usw2.admin.cordial.io) must configure theirs.
const DefaultBaseURL = "https://api.cordial.io/"

// Name is the vendor key used in errors, faults and metrics.
const Name = "cordial"

// Vendor is how the outbound chain and the shared client read Cordial's
// replies: by status, refined by its error body (see checkResponse).
var Vendor = outbound.Vendor{Name: Name, Check: checkResponse}

// Config is what the gateway knows about its Cordial account.
type Config struct {
	// APIKey is the account's API key; it travels as the Basic username.
	APIKey string
	// BaseURL defaults to DefaultBaseURL. It may carry a path prefix.
	BaseURL string
	// HTTPClient supplies the transport chain (retries, breaker, metrics);
	// nil means a fresh outbound.NewHTTPClient.
	HTTPClient *http.Client
}

// Client talks to one Cordial account. It is safe for concurrent use.
type Client struct {
	// BaseURL is where resource paths are resolved; it always ends in "/".
	BaseURL *url.URL

	client *http.Client
}

// New builds a client. The API key is required: a Cordial call without it
// can only fail, so a missing key is reported once here as
// KindNotConfigured rather than as a 401 on every call.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, &outbound.Error{Vendor: Name, Operation: "configure", Kind: outbound.KindNotConfigured, Message: "api key is empty"}
	}
	raw := cfg.BaseURL
	if strings.TrimSpace(raw) == "" {
		raw = DefaultBaseURL
	}
	base, err := outbound.ParseBaseURL(raw)
	if err != nil {
		return nil, err
	}
	// Cordial documents its base URLs as https://api.<host>/v2/; our paths
	// carry v2/ already.
	if strings.HasSuffix(base.Path, "/v2/") {
		base.Path = strings.TrimSuffix(base.Path, "v2/")
		base.RawPath = ""
	}

	hc := cfg.HTTPClient
	if hc == nil {
		hc = outbound.NewHTTPClient(outbound.TransportOptions{})
	}
	auth := &basicAuth{key: cfg.APIKey, next: outbound.Base(hc)}
	return &Client{BaseURL: base, client: outbound.WithTransport(hc, auth)}, nil
}

// basicAuth adds Cordial's credentials to every request. Auth lives only
// here so that no other layer ever handles the key, and the key never
// reaches a URL or an error text.
type basicAuth struct {
	key  string
	next http.RoundTripper
}

func (a *basicAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	r.SetBasicAuth(a.key, "")
	return a.next.RoundTrip(r)
}

// NewRequest builds a request for a path relative to BaseURL, with body
// encoded as JSON when it is not nil. Absolute paths are refused because
// they would escape a base URL's path prefix.
func (c *Client) NewRequest(method, path string, body any) (*http.Request, error) {
	return outbound.NewJSONRequest(c.BaseURL, Name, method, path, body)
}

// Do sends req under ctx and decodes a successful JSON reply into v (nil
// to discard it). Failures are *outbound.Error. The operation named in the
// error is the method and path, since a caller-built request has no nicer
// name.
func (c *Client) Do(ctx context.Context, req *http.Request, v any) error {
	return c.do(ctx, req.Method+" "+strings.TrimPrefix(req.URL.Path, c.BaseURL.Path), req, v)
}

func (c *Client) do(ctx context.Context, op string, req *http.Request, v any) error {
	if ctx == nil {
		return errors.New("cordial: nil context")
	}
	return outbound.Do(c.client, req.WithContext(ctx), Name, op, checkResponse, v)
}

// call is NewRequest plus do for the resource methods.
func (c *Client) call(ctx context.Context, op, method, path string, body, v any) error {
	req, err := c.NewRequest(method, path, body)
	if err != nil {
		return err
	}
	return c.do(ctx, op, req, v)
}
