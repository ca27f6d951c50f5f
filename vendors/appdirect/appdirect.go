package appdirect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	graphql "github.com/hasura/go-graphql-client"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/switchyard/switchyard/internal/outbound"
)

// Name is the Vendor of every *outbound.Error this package returns.
const Name = "appdirect"

// Vendor is how the outbound chain and the shared client read AppDirect's
// replies: by status, with the code and message of whichever error body
// came (see checkResponse).
var Vendor = outbound.Vendor{Name: Name, Check: checkResponse}

// DefaultGraphQLPath is AppDirect's production GraphQL endpoint, relative
// to the marketplace base URL ("api/graphql/preview" is the preview one).
const DefaultGraphQLPath = "api/graphql"

// scopes requested with the client-credentials grant: ROLE_PARTNER,
// because deleteAccount needs more than ROLE_PARTNER_READ.
var scopes = []string{"ROLE_PARTNER"}

// Config is what New needs to reach one AppDirect marketplace.
type Config struct {
	// BaseURL is the marketplace root, e.g. https://marketplace.example.com/
	// (a path prefix is kept: resource paths resolve below it).
	BaseURL string
	// ClientID and ClientSecret are the OAuth2 client credentials.
	ClientID     string
	ClientSecret string
	// HTTPClient supplies the transport chain and timeout; nil means
	// outbound.NewHTTPClient with default options.
	HTTPClient *http.Client
	// GraphQLPath is the GraphQL endpoint relative to BaseURL; empty means
	// DefaultGraphQLPath.
	GraphQLPath string
}

// Client talks to one AppDirect marketplace: REST companies and the
// GraphQL accounts API, both authenticated with one cached OAuth2 token.
type Client struct {
	// BaseURL is the marketplace root; always ends in "/".
	BaseURL *url.URL

	client *http.Client    // transport chain with the bearer-token layer
	gql    *graphql.Client // hasura client posting to the GraphQL endpoint
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
	gqlPath := strings.TrimLeft(cfg.GraphQLPath, "/")
	if gqlPath == "" {
		gqlPath = DefaultGraphQLPath
	}
	gqlURL, err := base.Parse(gqlPath)
	if err != nil {
		return nil, fmt.Errorf("appdirect: graphql path: %w", outbound.RedactedError(err))
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
	// The token endpoint is reached through the same transport (pool,
	// timeouts) as the API, but without the bearer layer on top of it.
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, outbound.WithTransport(hc, outbound.Base(hc)))
	authed := outbound.WithTransport(hc, &bearerTransport{source: cc.TokenSource(tokenCtx), base: outbound.Base(hc), secret: cfg.ClientSecret})
	return &Client{
		BaseURL: base,
		client:  authed,
		gql:     graphql.NewClient(gqlURL.String(), gqlDoer{hc: authed}),
	}, nil
}

// NewRequest builds a request for a path relative to BaseURL. A leading
// slash is refused: it would silently drop a base path prefix.
func (c *Client) NewRequest(method, path string, body any) (*http.Request, error) {
	return outbound.NewJSONRequest(c.BaseURL, Name, method, path, body)
}

// Do sends req with ctx and decodes a successful JSON reply into v; every
// failure is an *outbound.Error.
func (c *Client) Do(ctx context.Context, req *http.Request, v any) error {
	return outbound.Do(c.client, req.WithContext(ctx), Name, operation(ctx), checkResponse, v)
}

type opKey struct{}

// withOperation names the operation for error messages. The name travels
// in the context because the GraphQL calls reach the transport through
// hasura's client, which passes nothing else along.
func withOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

func operation(ctx context.Context) string {
	op, _ := ctx.Value(opKey{}).(string)
	return op
}

// maxMessage bounds the vendor text copied into an error.
const maxMessage = 500

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
	e.Message = truncate(e.Message)
	return e
}

func truncate(s string) string { return outbound.Truncate(s, maxMessage) }
