// Package auth authenticates Switchyard's clients and checks their scopes.
//
// A client sends "Authorization: Bearer <token>", where the token is either
// a static API key whose SHA-256 is listed in the keys file
// (SWITCHYARD_API_KEYS_FILE) or a JWT verified by one of: HS256 with
// SWITCHYARD_JWT_SECRET, RS256 with the public key in
// SWITCHYARD_JWT_PUBLIC_KEY_FILE, or RS256, ES256 or EdDSA with the key
// its kid names in an identity provider's JWKS (SWITCHYARD_JWKS_URL, or
// found by OIDC discovery), refreshed while the gateway runs. Middleware turns a request
// without a valid token into a 401 and gives every other request a
// Principal; Require, called by the schema's @hasScope directive, checks
// the Principal's scopes field by field.
//
// With no method configured the Authenticator is open: every request gets
// every scope. That is the sandbox's default; RequireProductionAuth is the
// check that keeps a production deployment from running open.
//
// Tokens are never logged, echoed or kept: API keys are only ever held as
// their SHA-256 digests, compared in constant time.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// The variables of Config's fields (see its env tags), for error messages.
const (
	EnvAPIKeysFile      = "SWITCHYARD_API_KEYS_FILE"
	EnvJWTSecret        = "SWITCHYARD_JWT_SECRET"
	EnvJWTPublicKeyFile = "SWITCHYARD_JWT_PUBLIC_KEY_FILE"
	EnvJWTAudience      = "SWITCHYARD_JWT_AUDIENCE"
	EnvJWTIssuer        = "SWITCHYARD_JWT_ISSUER"
	EnvJWKSURL          = "SWITCHYARD_JWKS_URL"
	EnvOIDCDiscovery    = "SWITCHYARD_OIDC_DISCOVERY"
)

// The extensions.code values this package's errors stand for. The 401 body
// written by Middleware carries CodeUnauthenticated; the error presenter
// maps *ForbiddenError to CodeForbidden.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
)

// Config names the configured authentication methods. Its zero value
// configures none: the Authenticator is open. The env tags name the
// variables internal/app/config fills it from (paths, audience and issuer
// trimmed; the secret taken as given).
type Config struct {
	APIKeysFile      string `env:"SWITCHYARD_API_KEYS_FILE"`       // path of the keys file: "<sha256 hex> <scope>..." per line
	JWTSecret        string `env:"SWITCHYARD_JWT_SECRET,secret"`   // HS256 shared secret, at least MinJWTSecretBytes long
	JWTPublicKeyFile string `env:"SWITCHYARD_JWT_PUBLIC_KEY_FILE"` // PEM file holding the RS256 public key (PKIX, PKCS#1 or a certificate)
	JWTAudience      string `env:"SWITCHYARD_JWT_AUDIENCE"`        // when set, a JWT's aud must contain it
	JWTIssuer        string `env:"SWITCHYARD_JWT_ISSUER"`          // when set, a JWT's iss must equal it
	// JWKSURL is the identity provider's JWKS; its keys verify RS256,
	// ES256 and EdDSA tokens by kid. Audience and issuer are then required.
	JWKSURL string `env:"SWITCHYARD_JWKS_URL"`
	// OIDCDiscovery finds the JWKS URL in JWTIssuer's
	// /.well-known/openid-configuration instead.
	OIDCDiscovery bool `env:"SWITCHYARD_OIDC_DISCOVERY"`
	// JWKSRefreshInterval is how old the key set may grow before a request
	// refreshes it in the background (0: DefaultJWKSRefreshInterval).
	JWKSRefreshInterval time.Duration `env:"SWITCHYARD_JWKS_REFRESH_INTERVAL"`
	// JWKSMinRefreshInterval is the least time between two fetches, which
	// bounds the fetches a token with an unknown kid can cause (0:
	// DefaultJWKSMinRefreshInterval).
	JWKSMinRefreshInterval time.Duration `env:"SWITCHYARD_JWKS_MIN_REFRESH_INTERVAL"`
}

// Enabled reports whether any authentication method is configured.
func (c Config) Enabled() bool {
	return c.APIKeysFile != "" || c.jwtEnabled()
}

func (c Config) jwtEnabled() bool {
	return c.JWTSecret != "" || c.JWTPublicKeyFile != "" || c.jwksEnabled()
}

func (c Config) jwksEnabled() bool { return c.JWKSURL != "" || c.OIDCDiscovery }

// String describes c without the JWT secret, so that printing a Config
// with %v or %+v cannot leak it.
func (c Config) String() string {
	secret := ""
	if c.JWTSecret != "" {
		secret = "[redacted]"
	}
	return fmt.Sprintf("auth.Config{APIKeysFile:%q JWTSecret:%s JWTPublicKeyFile:%q JWTAudience:%q JWTIssuer:%q JWKSURL:%q OIDCDiscovery:%t}",
		c.APIKeysFile, secret, c.JWTPublicKeyFile, c.JWTAudience, c.JWTIssuer, redactURL(c.JWKSURL), c.OIDCDiscovery)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the JWT secret out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_keys_file", c.APIKeysFile),
		slog.Bool("jwt_secret_set", c.JWTSecret != ""),
		slog.String("jwt_public_key_file", c.JWTPublicKeyFile),
		slog.String("jwt_audience", c.JWTAudience),
		slog.String("jwt_issuer", c.JWTIssuer),
		slog.String("jwks_url", redactURL(c.JWKSURL)),
		slog.Bool("oidc_discovery", c.OIDCDiscovery),
	)
}

// RequireProductionAuth is the start-up check for SWITCHYARD_ENV=production:
// a production gateway must not run open.
func RequireProductionAuth(production bool, cfg Config) error {
	if production && !cfg.Enabled() {
		return fmt.Errorf("SWITCHYARD_ENV=production needs client authentication: set %s, %s, %s or %s",
			EnvAPIKeysFile, EnvJWTSecret, EnvJWTPublicKeyFile, EnvJWKSURL)
	}
	return nil
}

// Scope is what a client's credentials allow. Scopes are independent:
// destructive does not imply write, nor write read.
type Scope string

// The scopes, as written in the keys file and in a JWT's scope claim.
const (
	ScopeRead        Scope = "read"        // queries
	ScopeWrite       Scope = "write"       // creates and updates
	ScopeDestructive Scope = "destructive" // archive, delete and clear
)

// AllScopes lists every scope, in order of growing power.
var AllScopes = []Scope{ScopeRead, ScopeWrite, ScopeDestructive}

// ParseScope maps a scope name to its Scope, ignoring case so that the
// schema's enum values (READ, WRITE, DESTRUCTIVE) map too.
func ParseScope(s string) (Scope, bool) {
	for _, sc := range AllScopes {
		if strings.EqualFold(s, string(sc)) {
			return sc, true
		}
	}
	return "", false
}

// Principal is the authenticated client of one request.
type Principal struct {
	// Subject is the API key's id (the first 8 hex digits of its SHA-256,
	// as in the keys file), the JWT's sub claim ("" when it has none), or
	// "anonymous" when open.
	Subject string
	// Issuer is the JWT's iss claim ("" for other methods).
	Issuer string
	Scopes map[Scope]bool
	Method string // MethodAPIKey, MethodJWT or MethodOpen
	// credential is the hex SHA-256 of the credential: the API key's full
	// digest, or the JWT's when it has no sub. Never the credential.
	credential string
}

// Identity names p's client and scope set for keying per-client state
// (idempotency keys): two principals get the same identity only when they
// are the same client holding the same scopes. The client is the method
// with, for an API key, its full SHA-256; for a JWT, its issuer and
// subject, or the token's SHA-256 when it has no sub (such a client is
// then only recognised while it sends the same token); nothing for the
// open gateway. The sorted scope set is part of it, so that one key or
// subject used with two scope sets (a read-only token beside a writing
// one) never shares state between them. A Principal built by hand with
// neither subject nor credential gets an identity of its own, shared with
// nobody. The identity holds no credential and is safe to hash or store.
func (p *Principal) Identity() string {
	if p == nil {
		return unshared()
	}
	parts := []string{p.Method}
	switch {
	case p.Method == MethodOpen:
	case p.Method == MethodAPIKey && p.credential != "":
		parts = append(parts, "key", p.credential)
	case p.Subject != "":
		parts = append(parts, "sub", p.Issuer, p.Subject)
	case p.credential != "":
		parts = append(parts, "token", p.credential)
	default:
		return unshared()
	}
	scopes := make([]string, 0, len(p.Scopes))
	for s, ok := range p.Scopes {
		if ok {
			scopes = append(scopes, string(s))
		}
	}
	slices.Sort(scopes)
	parts = append(parts, strings.Join(scopes, " "))
	// JSON, so that no issuer or subject can forge the boundary between
	// two fields.
	b, _ := json.Marshal(parts)
	return string(b)
}

// unshared is an identity no other request gets.
func unshared() string { return "unshared:" + rand.Text() }

// Principal.Method values.
const (
	MethodAPIKey = "api-key"
	MethodJWT    = "jwt"
	MethodOpen   = "open"
)

// Has reports whether p holds scope s. A nil Principal holds none.
func (p *Principal) Has(s Scope) bool { return p != nil && p.Scopes[s] }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the Principal Middleware stored in ctx.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// ForbiddenError is a field the client's credentials do not allow.
type ForbiddenError struct{ Scope Scope }

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("this operation needs the %s scope", e.Scope)
}

// Require returns nil when ctx's Principal holds s, else a *ForbiddenError.
// A context without a Principal (a handler not behind Middleware) is
// forbidden, so that a wiring mistake fails closed.
func Require(ctx context.Context, s Scope) error {
	if p, _ := FromContext(ctx); p.Has(s) {
		return nil
	}
	return &ForbiddenError{Scope: s}
}

// HashKey returns the lower-case hex SHA-256 of an API key, the form the
// keys file holds. The shell equivalent is: printf %s "$KEY" | sha256sum
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Authenticator checks bearer tokens against the configured methods. It is
// safe for concurrent use; ReloadKeys swaps the keys file's keys whole.
type Authenticator struct {
	keys     atomic.Pointer[[]apiKey] // from the keys file; digests only
	keysPath string                   // the keys file; "" when none
	keysFile bool
	jwt      *jwtVerifier // nil when no JWT method is configured
	log      *slog.Logger // nil: slog.Default() at the time of logging
	// production makes a JWKS that cannot be fetched at start-up stop
	// the start; elsewhere the gateway starts and keeps trying.
	production bool
	now        func() time.Time // the JWKS refresh clock (time.Now)
}

// Option adjusts an Authenticator built by New.
type Option func(*Authenticator)

// WithLogger sets the logger refusals are logged to (default slog.Default).
func WithLogger(l *slog.Logger) Option { return func(a *Authenticator) { a.log = l } }

// WithProduction applies production's rules: New fails when the JWKS
// cannot be fetched (or discovered), and the JWKS must be served over
// https unless from the loopback interface.
func WithProduction(on bool) Option { return func(a *Authenticator) { a.production = on } }

// New reads and checks the keys file and the public key now, so that a bad
// configuration stops start-up rather than every request. Its errors name
// files, variables and line numbers, never a secret or a key.
func New(cfg Config, opts ...Option) (*Authenticator, error) {
	a := &Authenticator{now: time.Now}
	for _, o := range opts {
		o(a)
	}
	if cfg.APIKeysFile != "" {
		keys, err := loadKeysFile(cfg.APIKeysFile)
		if err != nil {
			return nil, err
		}
		a.keys.Store(&keys)
		a.keysPath, a.keysFile = cfg.APIKeysFile, true
	}
	switch {
	case countSet(cfg.JWTSecret != "", cfg.JWTPublicKeyFile != "", cfg.jwksEnabled()) > 1:
		return nil, fmt.Errorf("set one of %s (HS256), %s (RS256) or %s/%s (a JWKS), not several: each has its own algorithms", EnvJWTSecret, EnvJWTPublicKeyFile, EnvJWKSURL, EnvOIDCDiscovery)
	case cfg.jwksEnabled():
		v, err := a.newJWKS(cfg)
		if err != nil {
			return nil, err
		}
		a.jwt = v
	case cfg.JWTSecret != "":
		if len(cfg.JWTSecret) < MinJWTSecretBytes {
			return nil, fmt.Errorf("%s must be at least %d bytes (HS256 needs a key as long as its hash)", EnvJWTSecret, MinJWTSecretBytes)
		}
		a.jwt = newHS256Verifier([]byte(cfg.JWTSecret), cfg.JWTAudience, cfg.JWTIssuer)
	case cfg.JWTPublicKeyFile != "":
		pub, err := loadRSAPublicKey(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, err
		}
		a.jwt = newRS256Verifier(pub, cfg.JWTAudience, cfg.JWTIssuer)
	case cfg.JWTAudience != "" || cfg.JWTIssuer != "":
		return nil, fmt.Errorf("%s or %s is set but no JWT key is: set %s, %s or %s", EnvJWTAudience, EnvJWTIssuer, EnvJWTSecret, EnvJWTPublicKeyFile, EnvJWKSURL)
	}
	return a, nil
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// newJWKS checks the JWKS configuration and fetches the key set once. An
// identity provider signs tokens for many applications, so audience and
// issuer are required: without them any token the provider issues to
// anyone would be accepted. A key set that cannot be fetched stops a
// production start (the orchestrator restarts the replica, and a rollout
// stalls rather than serving 401s); elsewhere the gateway starts, refuses
// every JWT, and fetches again at most every minimum refresh interval.
func (a *Authenticator) newJWKS(cfg Config) (*jwtVerifier, error) {
	if cfg.JWTAudience == "" || cfg.JWTIssuer == "" {
		return nil, fmt.Errorf("a JWKS needs %s and %s: an identity provider's keys sign tokens for every application it serves", EnvJWTAudience, EnvJWTIssuer)
	}
	if cfg.JWKSURL != "" && cfg.OIDCDiscovery {
		return nil, fmt.Errorf("set %s or %s, not both", EnvJWKSURL, EnvOIDCDiscovery)
	}
	refresh, minRefresh := cfg.JWKSRefreshInterval, cfg.JWKSMinRefreshInterval
	if refresh <= 0 {
		refresh = DefaultJWKSRefreshInterval
	}
	if minRefresh <= 0 {
		minRefresh = DefaultJWKSMinRefreshInterval
	}
	if minRefresh > refresh {
		return nil, fmt.Errorf("SWITCHYARD_JWKS_MIN_REFRESH_INTERVAL (%s) must not exceed SWITCHYARD_JWKS_REFRESH_INTERVAL (%s)", minRefresh, refresh)
	}
	jwksURL := cfg.JWKSURL
	if cfg.OIDCDiscovery {
		if err := checkJWKSURL(EnvJWTIssuer, cfg.JWTIssuer, a.production); err != nil {
			return nil, fmt.Errorf("%s needs an issuer URL: %w", EnvOIDCDiscovery, err)
		}
		var err error
		if jwksURL, err = discoverJWKSURL(context.Background(), cfg.JWTIssuer, a.production); err != nil {
			// Discovery is not retried: without it there is no URL to
			// fetch keys from.
			return nil, fmt.Errorf("%s: %w", EnvOIDCDiscovery, err)
		}
	} else if err := checkJWKSURL(EnvJWKSURL, jwksURL, a.production); err != nil {
		return nil, err
	}
	src, err := newJWKSSource(jwksURL, refresh, minRefresh, a.now, a.logger)
	if err != nil {
		return nil, err
	}
	if err := src.load(context.Background()); err != nil {
		if a.production {
			return nil, fmt.Errorf("%s %s: fetching the key set at start-up: %w", EnvJWKSURL, redactURL(jwksURL), err)
		}
		a.logger().Warn("JWKS not fetched at start-up: every JWT is refused until a later fetch succeeds",
			"url", redactURL(jwksURL), "reason", err.Error(), "retry_every", minRefresh.String())
	}
	return newJWKSVerifier(src, cfg.JWTAudience, cfg.JWTIssuer), nil
}

// Open reports whether no method is configured, so that every request gets
// every scope (Method "open").
func (a *Authenticator) Open() bool { return !a.keysFile && a.jwt == nil }

// Describe says, for the start-up log, how clients authenticate.
func (a *Authenticator) Describe() string {
	if a.Open() {
		return "open: no client authentication is configured, every request has every scope (set " +
			EnvAPIKeysFile + ", " + EnvJWTSecret + ", " + EnvJWTPublicKeyFile + " or " + EnvJWKSURL + " to require a bearer token)"
	}
	var parts []string
	if a.keysFile {
		parts = append(parts, fmt.Sprintf("API keys (%d)", len(a.apiKeys())))
	}
	if a.jwt != nil {
		parts = append(parts, "JWT "+a.jwt.desc)
	}
	return "bearer token required: " + strings.Join(parts, " or ")
}

// Authenticate checks one bearer token (without the "Bearer " prefix). API
// keys are tried first, so a key that happens to look like a JWT still
// works; then the JWT, when one is configured. The error wraps one of the
// sentinel errors below and never holds the token.
func (a *Authenticator) Authenticate(token string) (*Principal, error) {
	if a.Open() {
		return openPrincipal(), nil
	}
	if token == "" {
		return nil, ErrNoToken
	}
	if len(token) > MaxTokenBytes {
		return nil, &refusal{ErrInvalidToken, "token too long"}
	}
	if p := a.lookupKey(token); p != nil {
		return p, nil
	}
	if a.jwt != nil && strings.Count(token, ".") == 2 {
		return a.jwt.verify(token)
	}
	return nil, &refusal{ErrInvalidToken, "neither a listed api key nor a jwt"}
}

// Limits.
const (
	// MinJWTSecretBytes is the shortest HS256 secret accepted (RFC 7518
	// section 3.2: at least the hash size, 256 bits).
	MinJWTSecretBytes = 32
	// MinRSABits is the smallest RS256 public key accepted.
	MinRSABits = 2048
	// MaxTokenBytes bounds a bearer token, so that an oversized header is
	// refused before any parsing.
	MaxTokenBytes = 8 << 10
)

// Why a token was refused. Clients see a message per error; none holds the
// token.
var (
	ErrNoToken          = errors.New("no bearer token")
	ErrMalformedHeader  = errors.New("authorization header is not a bearer token")
	ErrInvalidToken     = errors.New("token is not valid")
	ErrTokenExpired     = errors.New("token has expired")
	ErrTokenNotValidYet = errors.New("token is not valid yet")
)

func openPrincipal() *Principal {
	return &Principal{Subject: "anonymous", Method: MethodOpen, Scopes: map[Scope]bool{ScopeRead: true, ScopeWrite: true, ScopeDestructive: true}}
}
