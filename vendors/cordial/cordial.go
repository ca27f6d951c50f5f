package cordial

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
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
	APIKey string `env:"API_KEY,secret"`
	// BaseURL defaults to DefaultBaseURL. It may carry a path prefix.
	BaseURL string `env:"BASE_URL"`
	// HTTPClient supplies the transport chain (retries, breaker, metrics);
	// nil means a fresh outbound.NewHTTPClient.
	HTTPClient *http.Client
}

// Client talks to one Cordial account. It is safe for concurrent use. The
// embedded *outbound.Client supplies BaseURL (where resource paths are
// resolved; it always ends in "/"), NewRequest and Do.
type Client struct {
	*outbound.Client
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
	secrets := outbound.NewSecrets(cfg.APIKey)
	secrets.AddBasic(cfg.APIKey, "")
	return &Client{&outbound.Client{
		BaseURL:    base,
		Vendor:     Vendor,
		HTTPClient: outbound.WithTransport(hc, auth),
		Secrets:    secrets,
	}}, nil
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

// call is NewRequest plus Do for the resource methods.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, body, v any) error {
	req, err := c.NewRequest(ctx, op, method, path, query, body)
	if err != nil {
		return err
	}
	return c.Do(ctx, req, v)
}
