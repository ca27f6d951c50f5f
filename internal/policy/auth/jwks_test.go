package auth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/auth"
)

const (
	jwksAudience = "switchyard"
	jwksIssuer   = "https://idp.example"
)

// jwksServer is an identity provider's JWKS endpoint whose keys a test
// changes while the gateway runs, and which counts the requests it gets.
type jwksServer struct {
	*httptest.Server
	mu       sync.Mutex
	keys     []jwkset.JWKMarshal
	raw      []byte // when set, served instead of the keys
	status   int    // when set, answered instead
	requests atomic.Int64
}

func newJWKSServer(t *testing.T) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != 0 {
			w.WriteHeader(s.status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if s.raw != nil {
			_, _ = w.Write(s.raw)
			return
		}
		_ = json.NewEncoder(w).Encode(jwkset.JWKSMarshal{Keys: s.keys})
	}))
	t.Cleanup(s.Close)
	return s
}

// add publishes pub under kid; alg may be "" (many providers omit it).
func (s *jwksServer) add(t *testing.T, kid, alg string, pub any) {
	t.Helper()
	k, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: jwkset.ALG(alg), USE: jwkset.UseSig}})
	require.NoError(t, err)
	s.addMarshal(k.Marshal())
}

func (s *jwksServer) addMarshal(m jwkset.JWKMarshal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, m)
}

func (s *jwksServer) remove(kid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []jwkset.JWKMarshal
	for _, k := range s.keys {
		if k.KID != kid {
			kept = append(kept, k)
		}
	}
	s.keys = kept
}

func (s *jwksServer) serve(status int, raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.raw = status, raw
}

// clock is a JWKS refresh clock the test moves on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func jwksConfig(url string) auth.Config {
	return auth.Config{JWKSURL: url, JWTAudience: jwksAudience, JWTIssuer: jwksIssuer,
		JWKSRefreshInterval: 10 * time.Minute, JWKSMinRefreshInterval: time.Minute}
}

func newJWKSAuth(t *testing.T, cfg auth.Config, c *clock, opts ...auth.Option) (*auth.Authenticator, error) {
	t.Helper()
	return auth.New(cfg, append([]auth.Option{auth.WithLogger(slog.New(slog.DiscardHandler)), auth.WithClock(c.Now)}, opts...)...)
}

// idpClaims are claims an identity provider would issue for the gateway.
func idpClaims(edits ...func(jwt.MapClaims)) jwt.MapClaims {
	return claims(append([]func(jwt.MapClaims){set("aud", jwksAudience), set("iss", jwksIssuer)}, edits...)...)
}

// signKID signs c with key under m, naming kid in the header.
func signKID(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

type idpKeys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	ed  ed25519.PrivateKey
}

func newIDPKeys(t *testing.T) idpKeys {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return idpKeys{rsa: rsaKeys()[0], ec: ec, ed: ed}
}

// startJWKS is a provider publishing an RSA key as "rsa-1" and an
// Authenticator on it, on a clock the test moves.
func startJWKS(t *testing.T) (*jwksServer, idpKeys, *clock, *auth.Authenticator) {
	t.Helper()
	srv := newJWKSServer(t)
	k := newIDPKeys(t)
	srv.add(t, "rsa-1", "RS256", &k.rsa.PublicKey)
	c := newClock()
	a, err := newJWKSAuth(t, jwksConfig(srv.URL), c)
	require.NoError(t, err)
	return srv, k, c, a
}

func TestJWKSAcceptsEachAlgorithmByKID(t *testing.T) {
	srv := newJWKSServer(t)
	k := newIDPKeys(t)
	srv.add(t, "rsa-1", "RS256", &k.rsa.PublicKey)
	srv.add(t, "ec-1", "", &k.ec.PublicKey) // no alg: the key's type decides
	srv.add(t, "ed-1", "EdDSA", k.ed.Public())
	a, err := newJWKSAuth(t, jwksConfig(srv.URL), newClock())
	require.NoError(t, err)
	assert.Contains(t, a.Describe(), "JWT from JWKS (RS256, ES256, EdDSA)")

	for _, tc := range []struct {
		name string
		m    jwt.SigningMethod
		key  any
		kid  string
	}{
		{"RS256", jwt.SigningMethodRS256, k.rsa, "rsa-1"},
		{"ES256", jwt.SigningMethodES256, k.ec, "ec-1"},
		{"EdDSA", jwt.SigningMethodEdDSA, k.ed, "ed-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Authenticate(signKID(t, tc.m, tc.key, tc.kid, idpClaims()))
			require.NoError(t, err)
			assert.Equal(t, auth.MethodJWT, p.Method)
			assert.Equal(t, "user-42", p.Subject)
			assert.Equal(t, jwksIssuer, p.Issuer)
			assert.True(t, p.Has(auth.ScopeRead))
			assert.True(t, p.Has(auth.ScopeWrite))
		})
	}
	assert.EqualValues(t, 1, srv.requests.Load(), "known kids are served from the key set held, without fetching")
}

// TestJWKSHostileTokens: everything an attacker who knows the public key
// set can forge is refused, and refused as a 401 UNAUTHENTICATED.
func TestJWKSHostileTokens(t *testing.T) {
	srv := newJWKSServer(t)
	k := newIDPKeys(t)
	srv.add(t, "rsa-1", "RS256", &k.rsa.PublicKey)
	srv.add(t, "ec-1", "ES256", &k.ec.PublicKey)
	srv.add(t, "ed-1", "", k.ed.Public())
	// A symmetric key in a public set: whoever reads the set knows it.
	sym := []byte("0123456789abcdef0123456789abcdef")
	srv.addMarshal(jwkset.JWKMarshal{KTY: jwkset.KtyOct, KID: "sym-1", ALG: "HS256", K: base64.RawURLEncoding.EncodeToString(sym)})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	a, err := newJWKSAuth(t, jwksConfig(srv.URL), newClock())
	require.NoError(t, err)

	pemKey := publicKeyPEM(t, &k.rsa.PublicKey)
	tests := []struct {
		name  string
		token string
	}{
		{"unknown kid", signKID(t, jwt.SigningMethodRS256, other, "rsa-2", idpClaims())},
		{"right kid, other key", signKID(t, jwt.SigningMethodRS256, other, "rsa-1", idpClaims())},
		{"no kid", signKID(t, jwt.SigningMethodRS256, k.rsa, "", idpClaims())},
		{"wrong audience", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims(set("aud", "another-app")))},
		{"no audience", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims(del("aud")))},
		{"wrong issuer", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims(set("iss", "https://evil.example")))},
		{"expired", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims(set("exp", time.Now().Add(-time.Hour).Unix())))},
		{"HS256 with the RSA public key PEM as secret", signKID(t, jwt.SigningMethodHS256, pemKey, "rsa-1", idpClaims())},
		{"HS256 with the RSA modulus as secret", signKID(t, jwt.SigningMethodHS256, k.rsa.N.Bytes(), "rsa-1", idpClaims())},
		{"HS256 with a symmetric key the set publishes", signKID(t, jwt.SigningMethodHS256, sym, "sym-1", idpClaims())},
		{"alg none", signKID(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-1", idpClaims())},
		{"alg none, hand-made", withKID(t, unsignedToken(t, "none", idpClaims()), "rsa-1")},
		{"RS256 naming an EC key", signKID(t, jwt.SigningMethodRS256, k.rsa, "ec-1", idpClaims())},
		{"ES256 naming an RSA key", signKID(t, jwt.SigningMethodES256, k.ec, "rsa-1", idpClaims())},
		{"RS384, not an accepted algorithm", signKID(t, jwt.SigningMethodRS384, k.rsa, "rsa-1", idpClaims())},
		{"PS256 with the RSA key", signKID(t, jwt.SigningMethodPS256, k.rsa, "rsa-1", idpClaims())},
		{"EdDSA naming the RSA key", signKID(t, jwt.SigningMethodEdDSA, k.ed, "rsa-1", idpClaims())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Authenticate(tt.token)
			require.Error(t, err)
			rec := serve(a.Middleware(http.HandlerFunc(echo)), http.MethodPost, bearer(tt.token))
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Contains(t, rec.Body.String(), auth.CodeUnauthenticated)
		})
	}
	// Only the unknown kid may fetch, and it came within the minimum
	// interval of the start-up fetch: no fetch at all.
	assert.EqualValues(t, 1, srv.requests.Load())
}

// withKID rewrites token's header to name kid.
func withKID(t *testing.T, token, kid string) string {
	t.Helper()
	parts := strings.SplitN(token, ".", 2)
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(raw, &h))
	h["kid"] = kid
	raw, err = json.Marshal(h)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(raw) + "." + parts[1]
}

// TestJWKSRotationWithoutRestart: a key the provider adds while the
// gateway runs is accepted, and one it removes is refused, with the same
// Authenticator.
func TestJWKSRotationWithoutRestart(t *testing.T) {
	srv, k, c, a := startJWKS(t)
	oldToken := signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims())
	newToken := signKID(t, jwt.SigningMethodES256, k.ec, "new", idpClaims())
	_, err := a.Authenticate(oldToken)
	require.NoError(t, err)

	// The provider starts signing with a key it publishes now. The first
	// token with it, once the last fetch is a minimum interval old,
	// fetches the set again and is accepted.
	srv.add(t, "new", "ES256", &k.ec.PublicKey)
	c.Advance(time.Minute)
	p, err := a.Authenticate(newToken)
	require.NoError(t, err, "a key added to the JWKS must be accepted without a restart")
	assert.Equal(t, "user-42", p.Subject)
	assert.EqualValues(t, 2, srv.requests.Load())

	// The provider drops the old key. Once the set is a refresh interval
	// old, a request refreshes it in the background and the old key's
	// tokens are refused from then on.
	srv.remove("rsa-1")
	c.Advance(10 * time.Minute)
	require.Eventually(t, func() bool {
		_, err := a.Authenticate(oldToken)
		return err != nil
	}, 5*time.Second, 5*time.Millisecond, "a key removed from the JWKS must be refused after a refresh")
	_, err = a.Authenticate(newToken)
	require.NoError(t, err)
	assert.EqualValues(t, 3, srv.requests.Load(), "one background refresh, not one per request")
}

// TestJWKSUnknownKIDFloodDoesNotHammerTheProvider: thousands of tokens
// with made-up kids cause at most one fetch per minimum refresh interval.
func TestJWKSUnknownKIDFloodDoesNotHammerTheProvider(t *testing.T) {
	srv, k, c, a := startJWKS(t)
	good := signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims())

	// One made-up kid per request (the attacker changes the header, the
	// signature does not matter: the lookup comes first).
	forged := make([]string, 2000)
	base := signKID(t, jwt.SigningMethodRS256, k.rsa, "x", idpClaims())
	for i := range forged {
		forged[i] = withKID(t, base, "made-up-"+string(rune('a'+i%26))+strings.Repeat("z", i%50)+time.Duration(i).String())
	}
	flood := func() {
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := w; i < len(forged); i += 8 {
					_, err := a.Authenticate(forged[i])
					assert.ErrorIs(t, err, auth.ErrInvalidToken)
				}
			})
		}
		wg.Wait()
	}

	flood() // within the minimum interval of the start-up fetch
	assert.EqualValues(t, 1, srv.requests.Load(), "an unknown kid within the minimum interval must not fetch")
	c.Advance(time.Minute)
	flood()
	assert.EqualValues(t, 2, srv.requests.Load(), "a flood of unknown kids must fetch at most once per interval")
	c.Advance(time.Minute)
	flood()
	assert.EqualValues(t, 3, srv.requests.Load())
	_, err := a.Authenticate(good)
	require.NoError(t, err, "the flood must not cost the real key")
}

// TestJWKSDownAtStartUp: production refuses to start without the key set;
// elsewhere the gateway starts, refuses every JWT, and fetches again (at
// most once per minimum interval) until the provider answers.
func TestJWKSDownAtStartUp(t *testing.T) {
	k := newIDPKeys(t)
	token := signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims())

	for _, tc := range []struct {
		name    string
		breakIt func(*jwksServer)
	}{
		{"provider down", func(s *jwksServer) { s.serve(http.StatusServiceUnavailable, nil) }},
		{"not JSON", func(s *jwksServer) { s.serve(0, []byte("<html>maintenance</html>")) }},
		{"no usable key", func(s *jwksServer) {
			s.serve(0, []byte(`{"keys":[{"kty":"RSA","kid":"short","n":"AQAB","e":"AQAB"}]}`))
		}},
		{"larger than the bound", func(s *jwksServer) {
			s.serve(0, append([]byte(`{"keys":[],"pad":"`), append(bytes.Repeat([]byte("x"), auth.MaxJWKSBytes), '"', '}')...))
		}},
	} {
		t.Run(tc.name+"/production", func(t *testing.T) {
			srv := newJWKSServer(t)
			srv.add(t, "rsa-1", "RS256", &k.rsa.PublicKey)
			tc.breakIt(srv)
			_, err := newJWKSAuth(t, jwksConfig(srv.URL), newClock(), auth.WithProduction(true))
			require.Error(t, err)
			assert.Contains(t, err.Error(), auth.EnvJWKSURL)
			assert.NotContains(t, err.Error(), "maintenance", "the reply is not quoted")
		})
		t.Run(tc.name+"/retried elsewhere", func(t *testing.T) {
			srv := newJWKSServer(t)
			srv.add(t, "rsa-1", "RS256", &k.rsa.PublicKey)
			tc.breakIt(srv)
			c := newClock()
			a, err := newJWKSAuth(t, jwksConfig(srv.URL), c)
			require.NoError(t, err)
			_, err = a.Authenticate(token)
			require.ErrorIs(t, err, auth.ErrInvalidToken)
			assert.EqualValues(t, 1, srv.requests.Load(), "no fetch again within the minimum interval")

			srv.serve(0, nil) // the provider is back
			c.Advance(time.Minute)
			require.Eventually(t, func() bool {
				_, err := a.Authenticate(token)
				return err == nil
			}, 5*time.Second, 5*time.Millisecond)
		})
	}
}

// TestJWKSFailedRefreshKeepsKeys: a provider that breaks after start-up
// does not lock clients out.
func TestJWKSFailedRefreshKeepsKeys(t *testing.T) {
	srv, k, c, a := startJWKS(t)
	token := signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", idpClaims())

	srv.serve(0, []byte(`{"keys":[]}`))
	c.Advance(time.Hour)
	_, err := a.Authenticate(token) // starts a background refresh
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.requests.Load() == 2 }, 5*time.Second, 5*time.Millisecond)
	_, err = a.Authenticate(token)
	require.NoError(t, err, "an empty set from the provider must not replace the keys held")
}

func TestOIDCDiscovery(t *testing.T) {
	k := newIDPKeys(t)
	jwks := newJWKSServer(t)
	jwks.add(t, "ed-1", "EdDSA", k.ed.Public())
	var issuer string
	docIssuer := func() string { return issuer }
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tenant/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": docIssuer(), "jwks_uri": jwks.URL})
	}))
	t.Cleanup(idp.Close)
	issuer = idp.URL + "/tenant"

	cfg := auth.Config{OIDCDiscovery: true, JWTAudience: jwksAudience, JWTIssuer: issuer}
	a, err := newJWKSAuth(t, cfg, newClock(), auth.WithProduction(true))
	require.NoError(t, err)
	_, err = a.Authenticate(signKID(t, jwt.SigningMethodEdDSA, k.ed, "ed-1", idpClaims(set("iss", issuer))))
	require.NoError(t, err)

	// A document naming another issuer is not trusted (OIDC Discovery 4.3).
	cfg.JWTIssuer = idp.URL + "/tenant/"
	_, err = newJWKSAuth(t, cfg, newClock())
	require.ErrorContains(t, err, "another issuer")
}

func TestJWKSConfigRefused(t *testing.T) {
	srv := newJWKSServer(t)
	srv.add(t, "rsa-1", "RS256", &rsaKeys()[0].PublicKey)
	tests := []struct {
		name       string
		edit       func(*auth.Config)
		production bool
		want       string
	}{
		{"no audience", func(c *auth.Config) { c.JWTAudience = "" }, false, auth.EnvJWTAudience},
		{"no issuer", func(c *auth.Config) { c.JWTIssuer = "" }, false, auth.EnvJWTIssuer},
		{"with a secret", func(c *auth.Config) { c.JWTSecret = testSecret }, false, "not several"},
		{"with discovery", func(c *auth.Config) { c.OIDCDiscovery = true }, false, "not both"},
		{"not a URL", func(c *auth.Config) { c.JWKSURL = "idp.example/jwks" }, false, "absolute http(s) URL"},
		{"plain http in production", func(c *auth.Config) { c.JWKSURL = "http://idp.example/jwks" }, true, "https"},
		{"minimum above the refresh", func(c *auth.Config) { c.JWKSMinRefreshInterval = time.Hour }, false, "must not exceed"},
		{"discovery without an issuer URL", func(c *auth.Config) { c.JWKSURL, c.OIDCDiscovery, c.JWTIssuer = "", true, "idp" }, false, auth.EnvOIDCDiscovery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := jwksConfig(srv.URL)
			tt.edit(&cfg)
			_, err := newJWKSAuth(t, cfg, newClock(), auth.WithProduction(tt.production))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
	assert.True(t, jwksConfig(srv.URL).Enabled())
	require.NoError(t, auth.RequireProductionAuth(true, jwksConfig(srv.URL)))
}
