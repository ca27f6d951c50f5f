package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/auth"
)

const identitySecret = "identity-test-secret-0123456789abcdef"

func withJWT(t *testing.T) gatewaytest.Option {
	authn, err := auth.New(auth.Config{JWTSecret: identitySecret})
	require.NoError(t, err)
	return func(s *gatewaytest.Setup) { s.Options.Auth = authn }
}

func jwtFor(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	c["exp"] = time.Now().Add(time.Hour).Unix()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(identitySecret))
	require.NoError(t, err)
	return s
}

// Issue 9, item 7: idempotency keys are scoped to the client and its
// scopes, so neither a client without sub nor a read-only token of the same
// subject is ever handed another's response.
func TestIdempotencyKeysAreScopedToTheClientAndItsScopes(t *testing.T) {
	t.Parallel()
	const create = `mutation($name: String!) { createAccountList(input: {name: $name}) { id name } }`
	vars := map[string]any{"name": "scoped-key"}
	cases := []struct {
		name          string
		first, second jwt.MapClaims
	}{
		{"two clients without sub", jwt.MapClaims{"scope": "read write", "jti": "client-a"}, jwt.MapClaims{"scope": "read write", "jti": "client-b"}},
		{"same sub, read-only token", jwt.MapClaims{"sub": "svc", "scope": "read write"}, jwt.MapClaims{"sub": "svc", "scope": "read"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withJWT(t))
			first := e.Query(create, vars, "Idempotency-Key", "shared-key", "Authorization", "Bearer "+jwtFor(t, tc.first))
			require.Empty(t, first.Errors, first.Raw)
			second := e.Query(create, vars, "Idempotency-Key", "shared-key", "Authorization", "Bearer "+jwtFor(t, tc.second))
			assert.Empty(t, second.Header.Get("Idempotent-Replayed"), "another client's response was replayed: %s", second.Raw)
			assert.NotEqual(t, first.Raw, second.Raw)
		})
	}
}

// The same client retrying with the same key still gets its response.
func TestIdempotencyKeyReplaysForTheSameClient(t *testing.T) {
	t.Parallel()
	const create = `mutation($name: String!) { createAccountList(input: {name: $name}) { id name } }`
	e := newEnv(t, withJWT(t))
	token := jwtFor(t, jwt.MapClaims{"scope": "read write"})
	first := e.Query(create, map[string]any{"name": "same-client"}, "Idempotency-Key", "k", "Authorization", "Bearer "+token)
	require.Empty(t, first.Errors, first.Raw)
	again := e.Query(create, map[string]any{"name": "same-client"}, "Idempotency-Key", "k", "Authorization", "Bearer "+token)
	assert.Equal(t, http.StatusOK, again.Status)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, first.Raw, again.Raw)
}
