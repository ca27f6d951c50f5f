package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/auth"
)

// TestJWKSClientsThroughTheGateway: a gateway whose clients hold tokens
// from an identity provider serves them by the provider's current keys, a
// key published while it runs included, and refuses an unknown kid with
// 401 UNAUTHENTICATED before any vendor call.
func TestJWKSClientsThroughTheGateway(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		keys     []jwkset.JWKMarshal
		requests atomic.Int64
	)
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		mu.Lock()
		defer mu.Unlock()
		_ = json.NewEncoder(w).Encode(jwkset.JWKSMarshal{Keys: keys})
	}))
	t.Cleanup(idp.Close)
	publish := func(kid string, k *ecdsa.PrivateKey) {
		jwk, err := jwkset.NewJWKFromKey(&k.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, USE: jwkset.UseSig}})
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, jwk.Marshal())
	}
	token := func(kid string, k *ecdsa.PrivateKey, scope string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
			"sub": "app-user", "aud": "switchyard", "iss": "https://idp.example", "scope": scope,
			"exp": time.Now().Add(time.Hour).Unix(),
		})
		tok.Header["kid"] = kid
		s, err := tok.SignedString(k)
		require.NoError(t, err)
		return s
	}
	first, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	second, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	publish("k1", first)

	// Every unknown kid may fetch (a nanosecond apart), so the key added
	// below is found by the first request that names it.
	authn, err := auth.New(auth.Config{JWKSURL: idp.URL, JWTAudience: "switchyard", JWTIssuer: "https://idp.example",
		JWKSRefreshInterval: time.Hour, JWKSMinRefreshInterval: time.Nanosecond}, auth.WithProduction(true))
	require.NoError(t, err)
	e := newEnv(t, func(s *gatewaytest.Setup) { s.Options.Auth = authn })

	r := e.queryAs(token("k1", first, "read"), `{ accountLists { name } }`)
	require.Empty(t, r.Errors, r.Raw)

	r = e.queryAs(token("k2", second, "read"), `{ accountLists { name } }`)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.Equal(t, []string{auth.CodeUnauthenticated}, r.Codes())

	publish("k2", second)
	r = e.queryAs(token("k2", second, "read"), `{ accountLists { name } }`)
	require.Empty(t, r.Errors, "a key the provider published while the gateway runs: %s", r.Raw)

	r = e.queryAs(token("k2", second, "write"), `{ accountLists { name } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, r.Codes(), "the token's scopes hold as for any JWT")
	assert.EqualValues(t, 3, requests.Load(), "start-up, the unknown k2, and k2 once published")
}
