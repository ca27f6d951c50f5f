package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/auth"
)

func TestJWTHS256(t *testing.T) {
	a := newAuth(t, auth.Config{JWTSecret: testSecret, JWTAudience: "switchyard", JWTIssuer: "https://issuer.example"})
	assert.Contains(t, a.Describe(), "JWT HS256")
	good := func(edits ...func(jwt.MapClaims)) jwt.MapClaims {
		return claims(append([]func(jwt.MapClaims){set("aud", "switchyard"), set("iss", "https://issuer.example")}, edits...)...)
	}
	hour := time.Hour
	rsaKey := rsaKeys()[0]
	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"valid", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good()), nil},
		{"audience among several", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("aud", []string{"other", "switchyard"}))), nil},
		{"no nbf is fine", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(del("nbf"))), nil},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("exp", time.Now().Add(-hour).Unix()))), auth.ErrTokenExpired},
		{"expired within clock skew", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("exp", time.Now().Add(-auth.ClockSkew/3).Unix()))), nil},
		{"nbf in the future", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("nbf", time.Now().Add(hour).Unix()))), auth.ErrTokenNotValidYet},
		{"no exp", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(del("exp"))), auth.ErrInvalidToken},
		{"exp not a number", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("exp", "tomorrow"))), auth.ErrInvalidToken},
		{"exp a string holding a number", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("exp", strconv.FormatInt(time.Now().Add(hour).Unix(), 10)))), auth.ErrInvalidToken},
		{"nbf a string holding a number", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("nbf", strconv.FormatInt(time.Now().Add(-hour).Unix(), 10)))), auth.ErrInvalidToken},
		{"iat a string holding a number", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("iat", strconv.FormatInt(time.Now().Unix(), 10)))), auth.ErrInvalidToken},
		{"exp null", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("exp", nil))), auth.ErrInvalidToken},
		{"exp with a fraction", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("exp", float64(time.Now().Add(hour).Unix())+0.5))), nil},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("aud", "someone-else"))), auth.ErrInvalidToken},
		{"no audience", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(del("aud"))), auth.ErrInvalidToken},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("iss", "https://evil.example"))), auth.ErrInvalidToken},
		{"no issuer", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(del("iss"))), auth.ErrInvalidToken},
		{"expired and wrong audience: a fresh token would not help", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("aud", "x"), set("exp", time.Now().Add(-hour).Unix()))), auth.ErrInvalidToken},
		{"other secret", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), good()), auth.ErrInvalidToken},
		{"HS384 with the right secret", sign(t, jwt.SigningMethodHS384, []byte(testSecret), good()), auth.ErrInvalidToken},
		{"HS512 with the right secret", sign(t, jwt.SigningMethodHS512, []byte(testSecret), good()), auth.ErrInvalidToken},
		{"RS256 token", sign(t, jwt.SigningMethodRS256, rsaKey, good()), auth.ErrInvalidToken},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()), auth.ErrInvalidToken},
		{"alg None, hand-made", unsignedToken(t, "None", good()), auth.ErrInvalidToken},
		{"alg HS256 without signature", unsignedToken(t, "HS256", good()), auth.ErrInvalidToken},
		{"tampered payload", tamper(t, sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("scope", "read")))), auth.ErrInvalidToken},
		{"scope claim not a string", sign(t, jwt.SigningMethodHS256, []byte(testSecret), good(set("scope", []string{"read"}))), auth.ErrInvalidToken},
		{"three dots of garbage", "a.b.c", auth.ErrInvalidToken},
		{"not a jwt at all", "plainkey", auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(tt.token)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, p)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, auth.MethodJWT, p.Method)
			assert.Equal(t, "user-42", p.Subject)
			assert.Equal(t, map[auth.Scope]bool{auth.ScopeRead: true, auth.ScopeWrite: true}, p.Scopes)
		})
	}
}

// tamper replaces a token's payload with one granting every scope, keeping
// the original signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	forged := unsignedToken(t, "HS256", claims(set("aud", "switchyard"), set("iss", "https://issuer.example"), set("scope", "read write destructive")))
	return parts[0] + "." + strings.Split(forged, ".")[1] + "." + parts[2]
}

func TestJWTWithoutAudienceOrIssuerConfigured(t *testing.T) {
	a := newAuth(t, auth.Config{JWTSecret: testSecret})
	tests := []struct {
		name    string
		claims  jwt.MapClaims
		wantErr error
	}{
		{"no aud or iss", claims(), nil},
		{"any aud and iss", claims(set("aud", "whoever"), set("iss", "whoever")), nil},
		{"exp still required", claims(del("exp")), auth.ErrInvalidToken},
		{"nbf still checked", claims(set("nbf", time.Now().Add(time.Hour).Unix())), auth.ErrTokenNotValidYet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Authenticate(sign(t, jwt.SigningMethodHS256, []byte(testSecret), tt.claims))
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestJWTScopeClaim(t *testing.T) {
	a := newAuth(t, auth.Config{JWTSecret: testSecret})
	r, w, d := auth.ScopeRead, auth.ScopeWrite, auth.ScopeDestructive
	tests := []struct {
		name  string
		edit  func(jwt.MapClaims)
		wants []auth.Scope
	}{
		{"one", set("scope", "read"), []auth.Scope{r}},
		{"all, extra spaces", set("scope", "  destructive   read\twrite "), []auth.Scope{r, w, d}},
		{"foreign scopes ignored", set("scope", "openid read profile"), []auth.Scope{r}},
		{"scope tokens are case-sensitive", set("scope", "READ Write"), nil},
		{"empty", set("scope", ""), nil},
		{"missing", del("scope"), nil},
		{"scp is not read", func(c jwt.MapClaims) { delete(c, "scope"); c["scp"] = "read" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(tt.edit)))
			require.NoError(t, err)
			want := map[auth.Scope]bool{}
			for _, s := range tt.wants {
				want[s] = true
			}
			assert.Equal(t, want, p.Scopes)
		})
	}
}

func TestJWTRS256(t *testing.T) {
	keys := rsaKeys()
	pubPEM := publicKeyPEM(t, &keys[0].PublicKey)
	a := newAuth(t, auth.Config{JWTPublicKeyFile: writeFile(t, "jwt.pem", string(pubPEM)), JWTAudience: "switchyard"})
	assert.Contains(t, a.Describe(), "JWT RS256")
	good := func(edits ...func(jwt.MapClaims)) jwt.MapClaims {
		return claims(append([]func(jwt.MapClaims){set("aud", "switchyard")}, edits...)...)
	}
	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"valid", sign(t, jwt.SigningMethodRS256, keys[0], good()), nil},
		{"other key pair", sign(t, jwt.SigningMethodRS256, keys[1], good()), auth.ErrInvalidToken},
		{"expired", sign(t, jwt.SigningMethodRS256, keys[0], good(set("exp", time.Now().Add(-time.Hour).Unix()))), auth.ErrTokenExpired},
		{"nbf in the future", sign(t, jwt.SigningMethodRS256, keys[0], good(set("nbf", time.Now().Add(time.Hour).Unix()))), auth.ErrTokenNotValidYet},
		{"wrong audience", sign(t, jwt.SigningMethodRS256, keys[0], good(set("aud", "x"))), auth.ErrInvalidToken},
		// The classic confusion: HS256 keyed with the public key's PEM.
		{"HS256 keyed with the public key", sign(t, jwt.SigningMethodHS256, pubPEM, good()), auth.ErrInvalidToken},
		{"PS256 with the right key", sign(t, jwt.SigningMethodPS256, keys[0], good()), auth.ErrInvalidToken},
		{"RS512 with the right key", sign(t, jwt.SigningMethodRS512, keys[0], good()), auth.ErrInvalidToken},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()), auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(tt.token)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "user-42", p.Subject)
			assert.True(t, p.Has(auth.ScopeRead))
		})
	}
}

func TestRS256KeyFormats(t *testing.T) {
	pub := &rsaKeys()[0].PublicKey
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)})
	token := sign(t, jwt.SigningMethodRS256, rsaKeys()[0], claims())
	for name, data := range map[string][]byte{"PKIX": publicKeyPEM(t, pub), "PKCS#1": pkcs1} {
		t.Run(name, func(t *testing.T) {
			a := newAuth(t, auth.Config{JWTPublicKeyFile: writeFile(t, "jwt.pem", string(data))})
			_, err := a.Authenticate(token)
			require.NoError(t, err)
		})
	}
}

func TestNewRefusesBadJWTConfig(t *testing.T) {
	priv := rsaKeys()[0]
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	shortSecret := "short-secret-31-bytes-long-xxxx"
	require.Len(t, shortSecret, auth.MinJWTSecretBytes-1)
	garbage := "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5IGF0IGFsbCwgc2VjcmV0LXZhbHVl\n-----END PUBLIC KEY-----\n"

	tests := []struct {
		name    string
		cfg     func(t *testing.T) auth.Config
		wantErr string
		notIn   []string
	}{
		{"both algorithms", func(t *testing.T) auth.Config {
			return auth.Config{JWTSecret: testSecret, JWTPublicKeyFile: writeFile(t, "p.pem", string(publicKeyPEM(t, &priv.PublicKey)))}
		}, "not several", []string{testSecret}},
		{"short secret", func(*testing.T) auth.Config { return auth.Config{JWTSecret: shortSecret} }, "at least 32 bytes", []string{shortSecret}},
		{"audience without a key", func(*testing.T) auth.Config { return auth.Config{JWTAudience: "switchyard"} }, "no JWT key", nil},
		{"issuer without a key", func(*testing.T) auth.Config { return auth.Config{JWTIssuer: "iss"} }, "no JWT key", nil},
		{"missing PEM file", func(*testing.T) auth.Config { return auth.Config{JWTPublicKeyFile: "/nonexistent/jwt.pem"} }, "SWITCHYARD_JWT_PUBLIC_KEY_FILE", nil},
		{"private key", func(t *testing.T) auth.Config { return auth.Config{JWTPublicKeyFile: writeFile(t, "p.pem", privPEM)} }, "holds a private key", []string{"MII", privPEM[40:80]}},
		{"not PEM", func(t *testing.T) auth.Config {
			return auth.Config{JWTPublicKeyFile: writeFile(t, "p.pem", "secret-value")}
		}, "does not hold a PEM-encoded RSA public key", []string{"secret-value"}},
		{"PEM of garbage", func(t *testing.T) auth.Config { return auth.Config{JWTPublicKeyFile: writeFile(t, "p.pem", garbage)} }, "does not hold a PEM-encoded RSA public key", []string{"bm90IGEga2V5"}},
		{"1024-bit key", func(t *testing.T) auth.Config {
			return auth.Config{JWTPublicKeyFile: writeFile(t, "p.pem", string(publicKeyPEM(t, &small.PublicKey)))}
		}, "1024 bits", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.New(tt.cfg(t))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			for _, s := range tt.notIn {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}
