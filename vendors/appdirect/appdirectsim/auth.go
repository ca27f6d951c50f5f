package appdirectsim

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// Sandbox credentials the simulator accepts unless Options name others.
const (
	ClientID     = "sandbox-appdirect-client"
	ClientSecret = "sandbox-appdirect-secret"
)

// Scopes AppDirect allows for the client-credentials grant.
const (
	scopePartner     = "ROLE_PARTNER"
	scopePartnerRead = "ROLE_PARTNER_READ"
)

// defaultTokenTTL is AppDirect's sample expires_in (12 hours less a second).
const defaultTokenTTL = 43199 * time.Second

// tokenIssuer mints and checks bearer tokens. Tokens are self-contained
// (expiry and scope signed with a per-server key), so the simulator keeps
// no token table that could grow without bound, and a Reset of the demo
// data does not log clients out.
type tokenIssuer struct {
	key          []byte
	clientID     string
	clientSecret string
	ttl          time.Duration
	now          func() time.Time
}

func newTokenIssuer(clientID, clientSecret string, ttl time.Duration) *tokenIssuer {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if ttl <= 0 {
		ttl = defaultTokenTTL
	}
	return &tokenIssuer{key: key, clientID: clientID, clientSecret: clientSecret, ttl: ttl, now: time.Now}
}

func (t *tokenIssuer) sign(payload string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}

func (t *tokenIssuer) mint(scope string) string {
	payload := strconv.FormatInt(t.now().Add(t.ttl).Unix(), 10) + "|" + scope
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + t.sign(payload)
}

// verify returns the token's scope, or false when the token is unknown,
// forged or expired.
func (t *tokenIssuer) verify(token string) (string, bool) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	payload := string(raw)
	if !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return "", false
	}
	expStr, scope, ok := strings.Cut(payload, "|")
	if !ok {
		return "", false
	}
	exp, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil || t.now().Unix() >= exp {
		return "", false
	}
	return scope, true
}

// oauthError is the Spring Security OAuth2 error body AppDirect's token
// endpoint answers with (RFC 6749 section 5.2 names).
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// handleToken is POST /oauth2/token: client credentials in HTTP Basic
// (RFC 6749 2.3.1: each part form-encoded), grant_type=client_credentials,
// scope ROLE_PARTNER and/or ROLE_PARTNER_READ.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodPost)
		return
	}
	user, pass, ok := r.BasicAuth()
	if ok {
		u, errU := url.QueryUnescape(user)
		p, errP := url.QueryUnescape(pass)
		ok = errU == nil && errP == nil &&
			subtle.ConstantTimeCompare([]byte(u), []byte(s.tokens.clientID)) == 1 &&
			subtle.ConstantTimeCompare([]byte(p), []byte(s.tokens.clientSecret)) == 1
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2/client"`)
		simkit.WriteJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "Bad client credentials"})
		return
	}
	if err := r.ParseForm(); err != nil {
		simkit.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Malformed form body"})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			simkit.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Missing grant type"})
			return
		}
		simkit.WriteJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "Unsupported grant type: " + gt})
		return
	}
	granted, ok := grantScope(r.PostForm.Get("scope"))
	if !ok {
		simkit.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_scope", "Invalid scope: " + r.PostForm.Get("scope")})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	simkit.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token": s.tokens.mint(granted),
		"token_type":   "bearer",
		"expires_in":   int(s.tokens.ttl / time.Second),
		"scope":        granted,
	})
}

// grantScope checks the requested scopes against the two AppDirect allows
// for this grant. Inference: an absent scope is granted ROLE_PARTNER.
func grantScope(requested string) (string, bool) {
	fields := strings.Fields(requested)
	if len(fields) == 0 {
		return scopePartner, true
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		if f != scopePartner && f != scopePartnerRead {
			return "", false
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return strings.Join(out, " "), true
}

type scopeKey struct{}

// canWrite reports whether the request's token carries ROLE_PARTNER, which
// mutations need; ROLE_PARTNER_READ alone only reads.
func canWrite(ctx context.Context) bool {
	scope, _ := ctx.Value(scopeKey{}).(string)
	for _, f := range strings.Fields(scope) {
		if f == scopePartner {
			return true
		}
	}
	return false
}

// requireBearer answers 401 with Spring Security's OAuth2 body unless the
// request carries a bearer token this server issued and that has not
// expired. Inference: AppDirect's API sits behind Spring Security OAuth2.
func (s *Server) requireBearer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, _ := strings.Cut(h, " ")
		if h == "" || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="oauth", error="unauthorized", error_description="Full authentication is required to access this resource"`)
			simkit.WriteJSON(w, http.StatusUnauthorized, oauthError{"unauthorized", "Full authentication is required to access this resource"})
			return
		}
		scope, ok := s.tokens.verify(strings.TrimSpace(token))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="oauth", error="invalid_token", error_description="Invalid access token"`)
			simkit.WriteJSON(w, http.StatusUnauthorized, oauthError{"invalid_token", "Invalid access token"})
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), scopeKey{}, scope)))
	}
}
