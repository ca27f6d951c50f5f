// Package echo is a fake fifth vendor, written the way ARCHITECTURE.md's
// "Adding a vendor" says, to show that adding one takes its package, its
// schema file, its resolvers and mapping and one registry line. It lives
// in internal/app/gateway/testdata: TestAFifthVendorServesAFieldEndToEnd
// copies the repository, adds it there and serves its field.
//
// Its one operation, echo, answers GET /v1/echo?message=... with
// {"message": ..., "servedBy": "echo-simulator"} to its API key, sent as
// the X-Echo-Key header.
package echo

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Name is the vendor key used in errors, faults and metrics.
const Name = "echo"

// Vendor is how the outbound chain reads echo's replies: by status.
var Vendor = outbound.Vendor{Name: Name}

// Config is what the gateway knows about its echo account.
type Config struct {
	// APIKey is sent as X-Echo-Key.
	APIKey string `env:"API_KEY,secret"`
	// BaseURL is where the API lives; echo has no public default.
	BaseURL string `env:"BASE_URL"`
	// HTTPClient supplies the transport chain; nil: a fresh one.
	HTTPClient *http.Client
}

// Client talks to one echo account.
type Client struct {
	*outbound.Client
}

// New builds a client; a missing key or base URL fails here, at start-up.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, &outbound.Error{Vendor: Name, Operation: "configure", Kind: outbound.KindNotConfigured, Message: "api key is empty"}
	}
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, &outbound.Error{Vendor: Name, Operation: "configure", Kind: outbound.KindNotConfigured, Message: "base url is empty"}
	}
	base, err := outbound.ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = outbound.NewHTTPClient(outbound.TransportOptions{})
	}
	return &Client{&outbound.Client{
		BaseURL:    base,
		Vendor:     Vendor,
		HTTPClient: outbound.WithTransport(hc, &keyAuth{key: cfg.APIKey, next: outbound.Base(hc)}),
		Secrets:    outbound.NewSecrets(cfg.APIKey),
	}}, nil
}

// keyAuth adds the API key to every request, on a clone.
type keyAuth struct {
	key  string
	next http.RoundTripper
}

func (a *keyAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("X-Echo-Key", a.key)
	return a.next.RoundTrip(r)
}

// Reply is echo's answer.
type Reply struct {
	Message  string `json:"message"`
	ServedBy string `json:"servedBy"`
}

// Echo asks the vendor to repeat message.
func (c *Client) Echo(ctx context.Context, message string) (*Reply, error) {
	req, err := c.NewRequest(ctx, "echo", http.MethodGet, "v1/echo", url.Values{"message": {message}}, nil)
	if err != nil {
		return nil, err
	}
	var out Reply
	if err := c.Do(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
