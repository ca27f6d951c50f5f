package appdirect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	graphql "github.com/hasura/go-graphql-client"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Name is the Vendor of every *outbound.Error this package returns.
const Name = "appdirect"

// Vendor is how the outbound chain and the shared client read AppDirect's
// replies: by status, with the code and message of whichever error body
// came (see checkResponse).
var Vendor = outbound.Vendor{Name: Name, Check: checkResponse, Uncacheable: hasGraphQLErrors}

// hasGraphQLErrors keeps a GraphQL reply with errors (sent with 200, read
// by the GraphQL client rather than checkResponse) out of the read cache.
func hasGraphQLErrors(_ *http.Response, body []byte) bool {
	var r struct {
		Errors []json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(body, &r) != nil || len(r.Errors) > 0
}

// DefaultGraphQLPath is AppDirect's production GraphQL endpoint, relative
// to the marketplace base URL. Operations in General Availability status
// (accounts, account, accountByExternalId) are sent there.
const DefaultGraphQLPath = "api/graphql"

// DefaultPreviewGraphQLPath is AppDirect's preview GraphQL endpoint:
// operations in Preview status (deleteAccount) are served only there
// (developer.appdirect.com, GraphQL overview).
const DefaultPreviewGraphQLPath = "api/graphql/preview"

// scopes requested with the client-credentials grant: ROLE_PARTNER,
// because deleteAccount needs more than ROLE_PARTNER_READ.
var scopes = []string{"ROLE_PARTNER"}

// Config is what New needs to reach one AppDirect marketplace.
type Config struct {
	// BaseURL is the marketplace root, e.g. https://marketplace.example.com/
	// (a path prefix is kept: resource paths resolve below it).
	BaseURL string `env:"BASE_URL"`
	// ClientID and ClientSecret are the OAuth2 client credentials.
	ClientID     string `env:"CLIENT_ID"`
	ClientSecret string `env:"CLIENT_SECRET,secret"`
	// HTTPClient supplies the transport chain and timeout; nil means
	// outbound.NewHTTPClient with default options.
	HTTPClient *http.Client
	// GraphQLPath is the GraphQL endpoint relative to BaseURL; empty means
	// DefaultGraphQLPath.
	GraphQLPath string `env:"GRAPHQL_PATH"`
	// PreviewGraphQLPath is the endpoint of operations in Preview status,
	// relative to BaseURL; empty means DefaultPreviewGraphQLPath.
	PreviewGraphQLPath string `env:"PREVIEW_GRAPHQL_PATH"`
}

// Client talks to one AppDirect marketplace: REST companies and the
// GraphQL accounts API, both authenticated with one cached OAuth2 token.
//
// The embedded *outbound.Client supplies BaseURL (the marketplace root,
// always ending in "/"), NewRequest and Do; its Secrets hold the client
// secret, the token endpoint's Basic value and every access token fetched.
type Client struct {
	*outbound.Client

	gqlPreview *graphql.Client // hasura client posting to the preview endpoint through Do (Preview-status operations: deleteAccount)
	gqlPath    string          // the production GraphQL endpoint, relative to BaseURL (queries: execRaw)
}

// New builds a Client. The token source is created once here, with the
// caller's transport, so every call shares one cached token until it
// expires; nothing is sent until the first call.
func New(cfg Config) (*Client, error) {
	base, err := outbound.ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("appdirect: %w", err)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("appdirect: client id and client secret are required")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = outbound.NewHTTPClient(outbound.TransportOptions{})
	}
	gqlURL, err := endpoint(base, cfg.GraphQLPath, DefaultGraphQLPath)
	if err != nil {
		return nil, fmt.Errorf("appdirect: graphql path: %w", outbound.RedactedError(err))
	}
	previewURL, err := endpoint(base, cfg.PreviewGraphQLPath, DefaultPreviewGraphQLPath)
	if err != nil {
		return nil, fmt.Errorf("appdirect: preview graphql path: %w", outbound.RedactedError(err))
	}
	tokenURL, err := base.Parse("oauth2/token")
	if err != nil {
		return nil, fmt.Errorf("appdirect: token URL: %w", outbound.RedactedError(err))
	}

	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     tokenURL.String(),
		Scopes:       scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	// The token endpoint is reached through the same chain (pool,
	// timeouts, limits, breaker, metrics) as the API, but without the
	// bearer layer on top of it, and as no vendor operation: a token fetch
	// is neither a read nor a write, so it must not invalidate the cache
	// nor spend a request's call budget (outbound.AuxiliaryTransport).
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, outbound.WithTransport(hc, outbound.AuxiliaryTransport(hc)))
	// Every replica, and every token it is given, is the same client to
	// the cache and dedup.
	identity := sha256.Sum256([]byte(cfg.ClientID + "\n" + tokenURL.String() + "\n" + strings.Join(scopes, " ")))
	secrets := outbound.NewSecrets(cfg.ClientSecret)
	secrets.AddBasic(cfg.ClientID, cfg.ClientSecret)
	c := &Client{Client: &outbound.Client{
		BaseURL:    base,
		Vendor:     Vendor,
		HTTPClient: outbound.WithTransport(hc, &bearerTransport{source: cc.TokenSource(tokenCtx), base: outbound.Base(hc), secrets: secrets, identity: hex.EncodeToString(identity[:])}),
		Secrets:    secrets,
	}}
	c.gqlPath = strings.TrimPrefix(gqlURL.Path, base.Path) // relative, for NewRequest
	c.gqlPreview = graphql.NewClient(previewURL.String(), gqlDoer{c: c.Client})
	return c, nil
}

// endpoint resolves a configured GraphQL path (def when empty) below the
// marketplace base URL; a leading "/" is ignored so a base path prefix is
// kept.
func endpoint(base *url.URL, path, def string) (*url.URL, error) {
	path = strings.TrimLeft(strings.TrimSpace(path), "/")
	if path == "" {
		path = def
	}
	return base.Parse(path)
}

// checkResponse builds the *outbound.Error for a non-2xx reply from its
// status and whichever error body AppDirect sent: {code, message} (REST),
// {error, error_description} (Spring OAuth2, on 401/403), or a GraphQL
// {errors:[{message, extensions:{code}}]} (a query the server refused).
func checkResponse(resp *http.Response, body []byte) *outbound.Error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := outbound.StatusError(resp)
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return e
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(fields[k], &s)
		return s
	}
	switch {
	case str("code") != "" || str("message") != "":
		e.Code, e.Message = str("code"), str("message")
	case str("error") != "":
		e.Code, e.Message = str("error"), str("error_description")
	case len(fields["errors"]) > 0:
		var errs []gqlErr
		if json.Unmarshal(fields["errors"], &errs) == nil && len(errs) > 0 {
			e.Code, e.Message = gqlCodeAndMessage(errs)
		}
	}
	return e
}
