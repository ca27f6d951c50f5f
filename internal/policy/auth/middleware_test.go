package auth_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/auth"
)

const readKey = "sy_read_7c0ffee7c0ffee7c0ffee"

// fixture is an Authenticator with both methods, and a downstream handler
// that reports what it saw.
type fixture struct {
	a    *auth.Authenticator
	logs *bytes.Buffer
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	keys := writeFile(t, "keys", auth.HashKey(readKey)+" read\n")
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := auth.New(auth.Config{APIKeysFile: keys, JWTSecret: testSecret, JWTAudience: "switchyard"}, auth.WithLogger(logger))
	require.NoError(t, err)
	return fixture{a: a, logs: logs}
}

// seen is what the downstream handler writes back: the principal and every
// request header, so that a test can look for the token in it.
type seen struct {
	Principal *auth.Principal
	Headers   http.Header
}

func echo(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(seen{Principal: p, Headers: r.Header})
}

func serve(h http.Handler, method string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/query", strings.NewReader(`{"query":"{ __typename }"}`))
	for k, vs := range header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func TestMiddlewareRefuses(t *testing.T) {
	f := newFixture(t)
	expired := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard"), set("exp", time.Now().Add(-time.Hour).Unix())))
	early := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard"), set("nbf", time.Now().Add(time.Hour).Unix())))
	const (
		noToken   = `Bearer realm="switchyard"`
		badHeader = `Bearer realm="switchyard", error="invalid_request"`
		badToken  = `Bearer realm="switchyard", error="invalid_token"`
	)
	tests := []struct {
		name       string
		header     http.Header
		wantHeader string
		wantMsg    string
	}{
		{"no header", nil, noToken, "authentication required"},
		{"empty header", http.Header{"Authorization": {""}}, noToken, "authentication required"},
		{"basic scheme", http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, badHeader, `must be "Bearer <token>"`},
		{"token without scheme", http.Header{"Authorization": {readKey}}, badHeader, `must be "Bearer <token>"`},
		{"bearer without token", http.Header{"Authorization": {"Bearer"}}, badHeader, `must be "Bearer <token>"`},
		{"bearer and spaces", http.Header{"Authorization": {"Bearer    "}}, badHeader, `must be "Bearer <token>"`},
		{"two words", bearer(readKey + " extra"), badHeader, `must be "Bearer <token>"`},
		{"two headers", http.Header{"Authorization": {"Bearer " + readKey, "Bearer " + readKey}}, badHeader, `must be "Bearer <token>"`},
		{"unknown key", bearer("sy_read_unknown"), badToken, "the bearer token is not valid"},
		{"bad jwt", bearer("eyJ.eyJ.sig"), badToken, "the bearer token is not valid"},
		{"expired jwt", bearer(expired), badToken + `, error_description="the token has expired"`, "the bearer token has expired"},
		{"jwt not valid yet", bearer(early), badToken + `, error_description="the token is not valid yet"`, "the bearer token is not valid yet"},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				called := false
				h := f.a.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
				w := serve(h, method, tt.header)
				assert.False(t, called, "the handler must not run")
				require.Equal(t, http.StatusUnauthorized, w.Code)
				assert.Equal(t, tt.wantHeader, w.Header().Get("WWW-Authenticate"))
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))

				// The exact GraphQL-style shape, and nothing else.
				var body map[string]any
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
				require.Len(t, body, 1, "only errors: %s", w.Body)
				errs, ok := body["errors"].([]any)
				require.True(t, ok, "%s", w.Body)
				require.Len(t, errs, 1)
				e := errs[0].(map[string]any)
				assert.Contains(t, e["message"], tt.wantMsg)
				assert.Equal(t, map[string]any{"code": "UNAUTHENTICATED"}, e["extensions"])
			})
		}
	}
}

func TestMiddlewareAccepts(t *testing.T) {
	f := newFixture(t)
	jwtToken := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard"), set("scope", "write destructive")))
	tests := []struct {
		name   string
		header http.Header
		want   auth.Principal
	}{
		{"api key", bearer(readKey), auth.Principal{Subject: auth.HashKey(readKey)[:8], Method: auth.MethodAPIKey, Scopes: map[auth.Scope]bool{auth.ScopeRead: true}}},
		{"lower-case scheme, extra spaces", http.Header{"Authorization": {"bearer   " + readKey + " "}}, auth.Principal{Subject: auth.HashKey(readKey)[:8], Method: auth.MethodAPIKey, Scopes: map[auth.Scope]bool{auth.ScopeRead: true}}},
		{"jwt", bearer(jwtToken), auth.Principal{Subject: "user-42", Method: auth.MethodJWT, Scopes: map[auth.Scope]bool{auth.ScopeWrite: true, auth.ScopeDestructive: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/query", nil)
			r.Header = tt.header.Clone()
			w := httptest.NewRecorder()
			f.a.Middleware(http.HandlerFunc(echo)).ServeHTTP(w, r)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var got seen
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
			require.NotNil(t, got.Principal)
			assert.Equal(t, tt.want, *got.Principal)
			assert.Empty(t, got.Headers.Get("Authorization"), "the token is not passed on")
			assert.Equal(t, tt.header.Get("Authorization"), r.Header.Get("Authorization"), "the caller's request is not changed")
		})
	}
}

func TestMiddlewarePrincipalDrivesRequire(t *testing.T) {
	f := newFixture(t)
	var readErr, writeErr error
	h := f.a.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		readErr, writeErr = auth.Require(r.Context(), auth.ScopeRead), auth.Require(r.Context(), auth.ScopeWrite)
	}))
	require.Equal(t, http.StatusOK, serve(h, http.MethodPost, bearer(readKey)).Code)
	require.NoError(t, readErr)
	var fe *auth.ForbiddenError
	require.ErrorAs(t, writeErr, &fe)
	assert.Equal(t, auth.ScopeWrite, fe.Scope)
}

func TestMiddlewareOptionsPassesThrough(t *testing.T) {
	f := newFixture(t)
	var hadPrincipal, called bool
	h := f.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		_, hadPrincipal = auth.FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	w := serve(h, http.MethodOptions, http.Header{"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"POST"}})
	assert.True(t, called)
	assert.False(t, hadPrincipal, "a preflight is not authenticated, so it can run nothing needing a scope")
	assert.Equal(t, http.StatusNoContent, w.Code)
}

func TestMiddlewareOpen(t *testing.T) {
	a := newAuth(t, auth.Config{})
	for name, header := range map[string]http.Header{"no header": nil, "any token": bearer("whatever"), "basic": {"Authorization": {"Basic x"}}} {
		t.Run(name, func(t *testing.T) {
			w := serve(a.Middleware(http.HandlerFunc(echo)), http.MethodPost, header)
			require.Equal(t, http.StatusOK, w.Code)
			var got seen
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
			require.NotNil(t, got.Principal)
			assert.Equal(t, auth.MethodOpen, got.Principal.Method)
			for _, s := range auth.AllScopes {
				assert.True(t, got.Principal.Has(s), s)
			}
		})
	}
}

// TestTokenNeverEchoed sends refused and accepted tokens and looks for
// them, and for each of their parts, in everything that comes back: the
// body, the headers, the log and the error text.
func TestTokenNeverEchoed(t *testing.T) {
	f := newFixture(t)
	otherSecret := strings.Repeat("q", 32)
	tokens := map[string]string{
		"accepted key":       readKey,
		"accepted jwt":       sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard"))),
		"unknown key":        "sy_live_SECRETunknownKEY_0123456789",
		"html-ish key":       `<script>alert("sy_live_x")</script>`,
		"bad signature":      sign(t, jwt.SigningMethodHS256, []byte(otherSecret), claims(set("aud", "switchyard"), set("sub", "victim-sub-9137"))),
		"expired":            sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard"), set("sub", "victim-sub-2210"), set("exp", time.Now().Add(-time.Hour).Unix()))),
		"wrong audience":     sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "nope-aud-5521"))),
		"scope not a string": sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard"), set("scope", []string{"sy_scope_7781"}))),
		"garbage jwt":        "eyJhbGciOiJ4eHh4eHh4In0.eyJzdWIiOiJ4eHh4In0.c2lnbmF0dXJlLXNlY3JldA",
		"oversized":          strings.Repeat("sy_oversized_", auth.MaxTokenBytes/10),
	}
	for name, token := range tokens {
		t.Run(name, func(t *testing.T) {
			f.logs.Reset()
			for _, header := range []http.Header{bearer(token), {"Authorization": {"Bearer " + token + " trailing"}}, {"Authorization": {"Token " + token}}} {
				w := serve(f.a.Middleware(http.HandlerFunc(echo)), http.MethodPost, header)
				var everything strings.Builder
				everything.WriteString(w.Body.String())
				for k, vs := range w.Header() {
					everything.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
				}
				everything.WriteString(f.logs.String())
				if _, err := f.a.Authenticate(token); err != nil {
					everything.WriteString(err.Error())
				}
				assertNoTokenIn(t, everything.String(), token)
			}
		})
	}
	require.Contains(t, f.logs.String(), "client authentication refused", "the log is written, so its check above can fail")
}

func assertNoTokenIn(t *testing.T, s, token string) {
	t.Helper()
	assert.NotContains(t, s, token)
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 8 {
			assert.NotContains(t, s, part)
		}
	}
	for _, marker := range []string{"SECRET", "victim-sub", "nope-aud", "sy_scope", "script", "sy_oversized"} {
		if strings.Contains(token, marker) {
			assert.NotContains(t, s, marker)
		}
	}
}

func TestMiddlewareConcurrent(t *testing.T) {
	f := newFixture(t)
	h := f.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Require(r.Context(), auth.ScopeRead); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	}))
	good := sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims(set("aud", "switchyard")))
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			token, want := readKey, http.StatusOK
			switch i % 3 {
			case 1:
				token = good
			case 2:
				token, want = "nope", http.StatusUnauthorized
			}
			w := serve(h, http.MethodPost, bearer(token))
			assert.Equal(t, want, w.Code)
			_, _ = io.Copy(io.Discard, w.Body)
		})
	}
	wg.Wait()
}

// TestUnauthenticatedBodyIsNotAwaited is issue 9.2: a request announcing
// a body that never arrives got no 401, the server waiting to drain the
// body first. The 401 comes at once, with Connection: close, over a real
// connection to a server with no read timeout.
func TestUnauthenticatedBodyIsNotAwaited(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.a.Middleware(http.HandlerFunc(echo)))
	t.Cleanup(srv.Close)
	for _, framing := range []string{"Content-Length: 100\r\n", "Transfer-Encoding: chunked\r\n"} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() }) // before srv.Close, which waits for it
		// Far longer than answering takes: reaching it means no 401.
		require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = io.WriteString(c, "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+framing+"\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err, "%s: no 401 while the body was pending", framing)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.True(t, resp.Close, "the connection is closed, not kept to drain the body")
	}
}
