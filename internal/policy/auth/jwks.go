package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// JWKS defaults and bounds.
const (
	// DefaultJWKSRefreshInterval is how old the key set may grow before a
	// request refreshes it in the background: keys an identity provider
	// adds ahead of a rotation, and keys it revokes, reach the gateway
	// within this time without a restart.
	DefaultJWKSRefreshInterval = 5 * time.Minute
	// DefaultJWKSMinRefreshInterval is the least time between two fetches
	// of the key set, whatever asks for them: a token with a kid the set
	// does not hold triggers a fetch only when the last one is older than
	// this, so a flood of made-up kids costs the identity provider at most
	// one request per interval and per replica.
	DefaultJWKSMinRefreshInterval = 30 * time.Second
	// JWKSFetchTimeout bounds one fetch of the key set or of the OIDC
	// discovery document.
	JWKSFetchTimeout = 10 * time.Second
	// MaxJWKSBytes bounds the key set (and discovery document) read: real
	// ones are a few KiB.
	MaxJWKSBytes = 1 << 20
)

// JWKSAlgorithms are the algorithms a token verified against a JWKS may
// use. HS256 is not among them: a JWKS is public, so a symmetric key in it
// (or an RSA public key used as an HMAC secret) must never verify a token.
var JWKSAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// errUnknownKID is a token whose kid the key set does not hold, even after
// the refresh it was allowed.
var errUnknownKID = errors.New("kid not in the key set")

// jwksSource holds the identity provider's key set, refreshed in the
// background once it is older than refresh, and at once for a token with
// an unknown kid, but never more often than minRefresh. It uses keyfunc
// for the kid lookup and jwkset for parsing keys; the fetching is ours,
// because jwkset's own unknown-kid refresh makes every request wait on its
// rate limiter (up to a minute by default) and reads the reply unbounded.
type jwksSource struct {
	url        string
	client     *http.Client
	refresh    time.Duration
	minRefresh time.Duration
	now        func() time.Time
	log        func() *slog.Logger

	store   *jwkset.MemoryJWKSet
	keyfunc keyfunc.Keyfunc

	mu          sync.Mutex // held while fetching: one fetch at a time
	lastAttempt time.Time  // of the last fetch, successful or not; under mu
	loaded      atomic.Int64
	background  atomic.Bool // a background refresh is running
	fetches     atomic.Int64
}

func newJWKSSource(rawURL string, refresh, minRefresh time.Duration, now func() time.Time, log func() *slog.Logger) (*jwksSource, error) {
	store := jwkset.NewMemoryStorage()
	kf, err := keyfunc.New(keyfunc.Options{Storage: store})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvJWKSURL, err)
	}
	return &jwksSource{
		url: rawURL, client: &http.Client{Timeout: JWKSFetchTimeout},
		refresh: refresh, minRefresh: minRefresh, now: now, log: log,
		store: store, keyfunc: kf,
	}, nil
}

// checkJWKSURL refuses a URL that is not absolute http(s), and, in
// production, plain http to anything but the loopback interface: keys
// fetched in clear can be replaced on the way.
func checkJWKSURL(name, raw string, production bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s must be an absolute http(s) URL", name)
	}
	if production && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%s must use https in production (keys fetched in clear can be replaced on the way)", name)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// load fetches the key set now, for start-up.
func (s *jwksSource) load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetchLocked(ctx)
}

// fetchLocked replaces the key set with the one the URL serves now. A
// fetch that fails, or serves no usable key, keeps the set it had: an
// identity provider's bad minute must not lock every client out. Its
// errors hold neither the reply nor the library's text about it.
func (s *jwksSource) fetchLocked(ctx context.Context) error {
	s.lastAttempt = s.now()
	s.fetches.Add(1)
	ctx, cancel := context.WithTimeout(ctx, JWKSFetchTimeout)
	defer cancel()
	var set jwkset.JWKSMarshal
	if err := getJSON(ctx, s.client, s.url, &set); err != nil {
		return err
	}
	var keys []jwkset.JWK
	for _, m := range set.Keys {
		if m.KID == "" || m.USE == jwkset.UseEnc {
			continue // never found by a token's kid, or not for signatures
		}
		m.X5U = "" // never fetched: the key itself is in the set
		k, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil || keyAlg(k.Key()) == "" {
			continue // unsupported or malformed: skipped, the others still count
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return errors.New("the key set holds no usable signing key (RSA of 2048 bits or more, EC P-256 or Ed25519, each with a kid)")
	}
	if err := s.store.KeyReplaceAll(ctx, keys); err != nil {
		return fmt.Errorf("store keys: %w", err)
	}
	s.loaded.Store(s.now().UnixNano())
	return nil
}

// getJSON GETs url and decodes at most MaxJWKSBytes of its 200 reply.
func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return errors.New("bad URL")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return errors.New("unreachable")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSBytes+1))
	if err != nil {
		return errors.New("reply cut short")
	}
	if len(body) > MaxJWKSBytes {
		return fmt.Errorf("reply larger than %d bytes", MaxJWKSBytes)
	}
	if json.Unmarshal(body, v) != nil {
		return errors.New("reply is not the expected JSON")
	}
	return nil
}

// keyAlg is the one JWS algorithm a key verifies, or "" for a key
// Switchyard does not accept.
func keyAlg(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() >= MinRSABits {
			return "RS256"
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "ES256"
		}
	case ed25519.PublicKey:
		return "EdDSA"
	}
	return ""
}

// key is the jwt.Keyfunc: the key the token's kid names, which must be of
// the token's algorithm.
func (s *jwksSource) key(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, errors.New("jwt has no kid")
	}
	s.maybeRefreshInBackground()
	k, err := s.keyfunc.Keyfunc(t)
	if errors.Is(err, jwkset.ErrKeyNotFound) && s.refreshForUnknownKID() {
		k, err = s.keyfunc.Keyfunc(t)
	}
	switch {
	case errors.Is(err, jwkset.ErrKeyNotFound):
		return nil, errUnknownKID
	case err != nil:
		return nil, errors.New("jwt alg does not match its key")
	}
	if keyAlg(k) != t.Method.Alg() {
		return nil, errors.New("jwt alg does not match its key")
	}
	return k, nil
}

// refreshForUnknownKID fetches the key set when the last fetch is at least
// minRefresh old, and reports whether it did. Requests that arrive during
// the fetch wait for it (they may carry the same new kid), then find the
// attempt recent and do not fetch again.
func (s *jwksSource) refreshForUnknownKID() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.now().Sub(s.lastAttempt) < s.minRefresh {
		return false
	}
	if err := s.fetchLocked(context.Background()); err != nil {
		s.log().Warn("JWKS refresh for an unknown kid failed; keeping the keys held", "url", redactURL(s.url), "reason", err.Error())
	}
	return true
}

// maybeRefreshInBackground starts one background fetch once the key set is
// older than refresh (and the last attempt older than minRefresh); the
// request goes on with the keys held.
func (s *jwksSource) maybeRefreshInBackground() {
	if s.now().Sub(time.Unix(0, s.loaded.Load())) < s.refresh || !s.background.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.background.Store(false)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.now().Sub(s.lastAttempt) < s.minRefresh {
			return
		}
		if err := s.fetchLocked(context.Background()); err != nil {
			s.log().Warn("JWKS refresh failed; keeping the keys held", "url", redactURL(s.url), "reason", err.Error())
		}
	}()
}

// redactURL drops a URL's user information and query, which may carry
// credentials, for the log.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// discoverJWKSURL reads the OIDC discovery document of issuer (OpenID
// Connect Discovery 1.0, section 4) and returns its jwks_uri. The
// document's issuer must equal the configured one (section 4.3), so that
// a document served for another tenant is not trusted.
func discoverJWKSURL(ctx context.Context, issuer string, production bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, JWKSFetchTimeout)
	defer cancel()
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	where := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	if err := getJSON(ctx, &http.Client{Timeout: JWKSFetchTimeout}, where, &doc); err != nil {
		return "", fmt.Errorf("OIDC discovery at %s: %w", redactURL(where), err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("OIDC discovery at %s names another issuer than %s", redactURL(where), EnvJWTIssuer)
	}
	if err := checkJWKSURL("the discovered jwks_uri", doc.JWKSURI, production); err != nil {
		return "", err
	}
	return doc.JWKSURI, nil
}
