package auth

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClockSkew is the leeway allowed on exp and nbf, for clocks that differ
// between the token issuer and the gateway.
const ClockSkew = 30 * time.Second

// jwtVerifier verifies JWTs signed with the configured algorithms and keys:
// one algorithm and key (HS256 secret, RS256 public key), or the keys of a
// JWKS, each found by the token's kid.
type jwtVerifier struct {
	desc    string // for Describe: "HS256", "RS256" or the JWKS's algorithms
	keyFunc jwt.Keyfunc
	parser  *jwt.Parser
	jwks    *jwksSource // nil unless the keys come from a JWKS
}

// claims is what Switchyard reads from a JWT: the registered claims and
// the space-separated OAuth scope claim (RFC 8693 section 4.2). A scope
// claim that is not a string makes the token malformed.
type claims struct {
	jwt.RegisteredClaims
	Scope string `json:"scope"`
}

// UnmarshalJSON refuses exp, nbf and iat that are not JSON numbers. jwt/v5
// decodes them through json.Number, which also takes a string holding a
// number ("exp":"1999999999"); RFC 7519 section 2 says NumericDate is a
// number, and a token minted with a string exp is a bug or a forgery.
func (c *claims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := raw[name]; ok && !isJSONNumber(v) {
			return fmt.Errorf("%s is not a number", name)
		}
	}
	type plain claims // without this method
	return json.Unmarshal(b, (*plain)(c))
}

// isJSONNumber reports whether v, a JSON value, is a number.
func isJSONNumber(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && (v[0] == '-' || '0' <= v[0] && v[0] <= '9')
}

func newHS256Verifier(secret []byte, audience, issuer string) *jwtVerifier {
	return newStaticVerifier(jwt.SigningMethodHS256, secret, audience, issuer)
}

func newRS256Verifier(pub *rsa.PublicKey, audience, issuer string) *jwtVerifier {
	return newStaticVerifier(jwt.SigningMethodRS256, pub, audience, issuer)
}

// newStaticVerifier accepts tokens of method m signed with key.
func newStaticVerifier(m jwt.SigningMethod, key any, audience, issuer string) *jwtVerifier {
	return newVerifier(m.Alg(), []string{m.Alg()}, func(t *jwt.Token) (any, error) {
		// WithValidMethods already refused any other alg; checking the
		// method itself as well costs nothing and survives a refactor.
		if t.Method != m {
			return nil, errors.New("unexpected signing method")
		}
		return key, nil
	}, audience, issuer)
}

// newJWKSVerifier accepts tokens signed with a key of src, found by kid.
func newJWKSVerifier(src *jwksSource, audience, issuer string) *jwtVerifier {
	v := newVerifier("from JWKS ("+strings.Join(JWKSAlgorithms, ", ")+")", JWKSAlgorithms, src.key, audience, issuer)
	v.jwks = src
	return v
}

func newVerifier(desc string, methods []string, keyFunc jwt.Keyfunc, audience, issuer string) *jwtVerifier {
	opts := []jwt.ParserOption{
		// Only the configured algorithms: no "none", and no HS256 token
		// signed with an RSA public key as its secret.
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(ClockSkew),
	}
	if audience != "" {
		opts = append(opts, jwt.WithAudience(audience))
	}
	if issuer != "" {
		opts = append(opts, jwt.WithIssuer(issuer))
	}
	return &jwtVerifier{desc: desc, keyFunc: keyFunc, parser: jwt.NewParser(opts...)}
}

// verify checks token's signature and claims. The error wraps one of the
// package's sentinel errors and carries a reason for the log; neither
// holds the token or the library's error text.
func (v *jwtVerifier) verify(token string) (*Principal, error) {
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, v.keyFunc)
	if err != nil {
		return nil, classifyJWTError(err)
	}
	p := &Principal{Subject: c.Subject, Issuer: c.Issuer, Method: MethodJWT, Scopes: map[Scope]bool{}}
	if c.Subject == "" {
		// No stable name: the token itself is the client's identity.
		p.credential = HashKey(token)
	}
	for _, word := range strings.Fields(c.Scope) {
		// Scope tokens are case-sensitive (RFC 6749 section 3.3); words
		// that are not ours (openid, profile...) are ignored.
		if s := Scope(word); s == ScopeRead || s == ScopeWrite || s == ScopeDestructive {
			p.Scopes[s] = true
		}
	}
	return p, nil
}

// classifyJWTError maps a jwt/v5 error to what the client is told. A token
// that is both expired and wrong in another way is reported as invalid:
// getting a fresh one would not help.
func classifyJWTError(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return &refusal{ErrInvalidToken, "malformed jwt"}
	case errors.Is(err, errUnknownKID):
		return &refusal{ErrInvalidToken, "jwt kid not in the key set"}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return &refusal{ErrInvalidToken, "jwt signature or algorithm refused"}
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return &refusal{ErrInvalidToken, "jwt audience refused"}
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return &refusal{ErrInvalidToken, "jwt issuer refused"}
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return &refusal{ErrInvalidToken, "jwt lacks a required claim"}
	case errors.Is(err, jwt.ErrTokenExpired):
		return &refusal{ErrTokenExpired, "jwt expired"}
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return &refusal{ErrTokenNotValidYet, "jwt not valid yet"}
	default:
		return &refusal{ErrInvalidToken, "jwt claims refused"}
	}
}

// refusal is a refused token: err is what the client is told, reason what
// the log says.
type refusal struct {
	err    error
	reason string
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// loadRSAPublicKey reads the RS256 verification key. Its errors do not
// wrap the parser's, so that nothing of the file's contents is quoted.
func loadRSAPublicKey(path string) (*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvJWTPublicKeyFile, err)
	}
	if block, _ := pem.Decode(data); block != nil && strings.Contains(block.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("%s %s holds a private key: give the gateway the public key only", EnvJWTPublicKeyFile, path)
	}
	pub, err := jwt.ParseRSAPublicKeyFromPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s does not hold a PEM-encoded RSA public key (PKIX \"PUBLIC KEY\", PKCS#1 \"RSA PUBLIC KEY\" or a certificate)", EnvJWTPublicKeyFile, path)
	}
	if pub.N.BitLen() < MinRSABits {
		return nil, fmt.Errorf("%s %s: the RSA key has %d bits, fewer than the %d required", EnvJWTPublicKeyFile, path, pub.N.BitLen(), MinRSABits)
	}
	return pub, nil
}
