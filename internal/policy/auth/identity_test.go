package auth_test

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/auth"
)

// Identity is what idempotency keys are scoped by (issue 9, item 7): two
// credentials share one only when they are the same client with the same
// scopes, and no identity holds a credential.
func TestIdentity(t *testing.T) {
	const (
		keyA = "key-a-0123456789abcdef0123456789"
		keyB = "key-b-0123456789abcdef0123456789"
		keyR = "key-r-0123456789abcdef0123456789"
	)
	keys := writeFile(t, "keys", auth.HashKey(keyA)+" read write\n"+
		auth.HashKey(keyB)+" read write\n"+
		auth.HashKey(keyR)+" read\n")
	a := newAuth(t, auth.Config{APIKeysFile: keys, JWTSecret: testSecret})
	hs := func(edits ...func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(edits...))
	}
	noSubA, noSubB := hs(del("sub"), set("jti", "a")), hs(del("sub"), set("jti", "b"))

	cases := []struct {
		name string
		x, y string // bearer tokens
		same bool
	}{
		{"same JWT", noSubA, noSubA, true},
		{"same sub, another token (refreshed)", hs(), hs(set("jti", "other"), set("iat", 1)), true},
		{"scope order does not matter", hs(set("scope", "read write")), hs(set("scope", "write read")), true},
		{"foreign scope words do not matter", hs(), hs(set("scope", "read write openid")), true},
		{"two JWTs without sub", noSubA, noSubB, false},
		{"same sub, fewer scopes", hs(), hs(set("scope", "read")), false},
		{"same sub, another issuer", hs(set("iss", "https://a.example")), hs(set("iss", "https://b.example")), false},
		{"sub of one is the issuer of the other", hs(set("iss", "x"), set("sub", "")), hs(set("iss", ""), set("sub", "x")), false},
		{"two API keys with the same scopes", keyA, keyB, false},
		{"same API key", keyA, keyA, true},
		{"API key and a JWT whose sub is its id", keyA, hs(set("sub", auth.HashKey(keyA)[:8])), false},
		{"read-only key and writing key", keyR, keyA, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			px, err := a.Authenticate(tc.x)
			require.NoError(t, err)
			py, err := a.Authenticate(tc.y)
			require.NoError(t, err)
			ix, iy := px.Identity(), py.Identity()
			require.NotEmpty(t, ix)
			if tc.same {
				assert.Equal(t, ix, iy)
			} else {
				assert.NotEqual(t, ix, iy)
			}
			for _, id := range []string{ix, iy} {
				for _, secret := range []string{tc.x, tc.y, testSecret} {
					assert.NotContains(t, id, secret, "an identity holds no credential")
				}
			}
		})
	}
}

func TestIdentityWithoutAName(t *testing.T) {
	hand := &auth.Principal{Method: auth.MethodJWT, Scopes: map[auth.Scope]bool{auth.ScopeWrite: true}}
	assert.NotEqual(t, hand.Identity(), hand.Identity(), "a principal with no name shares with nobody")
	var none *auth.Principal
	assert.NotEqual(t, none.Identity(), none.Identity())
	open := newAuth(t, auth.Config{})
	p1, err := open.Authenticate("")
	require.NoError(t, err)
	p2, err := open.Authenticate("anything")
	require.NoError(t, err)
	assert.Equal(t, p1.Identity(), p2.Identity(), "the open gateway is one client")
	assert.True(t, strings.HasPrefix(p1.Identity(), `["open"`), p1.Identity())
}
