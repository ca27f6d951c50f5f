package crossorigin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/crossorigin"
)

const app = "https://app.example.com"

// serve runs one request through Middleware and reports whether it
// reached the handler behind it.
func serve(cfg crossorigin.Config, r *http.Request) (*httptest.ResponseRecorder, bool) {
	reached := false
	h := crossorigin.Middleware(cfg, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reached = true
		w.WriteHeader(http.StatusOK)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, reached
}

func request(method, contentType string, headers map[string]string) *http.Request {
	r := httptest.NewRequest(method, "/query", strings.NewReader(`{"query":"{ gateway { version } }"}`))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

func TestCORS(t *testing.T) {
	list := crossorigin.Config{AllowedOrigins: []string{"https://App.Example.com/", "http://localhost:3000"}, CSRF: true}
	anyOrigin := crossorigin.Config{AllowAny: true, CSRF: true}
	preflight := func(origin string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"}
	}
	cases := []struct {
		name        string
		cfg         crossorigin.Config
		method      string
		headers     map[string]string
		status      int
		allowOrigin string // "" when no CORS headers may be sent
		reached     bool
	}{
		{"allowed origin", list, http.MethodPost, map[string]string{"Origin": app}, 200, app, true},
		{"allowed origin, other port", list, http.MethodPost, map[string]string{"Origin": "http://localhost:3000"}, 200, "http://localhost:3000", true},
		{"origin not on the list", list, http.MethodPost, map[string]string{"Origin": "https://evil.example"}, 200, "", true},
		{"suffix of an allowed origin", list, http.MethodPost, map[string]string{"Origin": app + ".evil.example"}, 200, "", true},
		{"opaque origin", list, http.MethodPost, map[string]string{"Origin": "null"}, 200, "", true},
		{"no origin (not a browser, or same-origin GET)", list, http.MethodPost, nil, 200, "", true},
		{"any origin reflected in the sandbox", anyOrigin, http.MethodPost, map[string]string{"Origin": "https://anything.example"}, 200, "https://anything.example", true},
		{"no origin allowed by default", crossorigin.Config{CSRF: true}, http.MethodPost, map[string]string{"Origin": app}, 200, "", true},
		{"preflight from an allowed origin", list, http.MethodOptions, preflight(app), 204, app, false},
		{"preflight from any origin in the sandbox", anyOrigin, http.MethodOptions, preflight("https://x.example"), 204, "https://x.example", false},
		{"preflight from another origin", list, http.MethodOptions, preflight("https://evil.example"), 403, "", false},
		{"preflight without an origin", list, http.MethodOptions, map[string]string{"Access-Control-Request-Method": "POST"}, 403, "", false},
		{"OPTIONS that is not a preflight", list, http.MethodOptions, map[string]string{"Origin": app}, 200, app, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, reached := serve(tc.cfg, request(tc.method, "application/json", tc.headers))
			h := rec.Header()
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.reached, reached)
			assert.Contains(t, h.Values("Vary"), "Origin")
			assert.Equal(t, tc.allowOrigin, h.Get("Access-Control-Allow-Origin"))
			assert.Empty(t, h.Get("Access-Control-Allow-Credentials"), "no cookies are used, so credentials are never allowed")
			if tc.allowOrigin == "" {
				for k := range h {
					assert.False(t, strings.HasPrefix(k, "Access-Control-"), "CORS header %s sent to a disallowed origin", k)
				}
				return
			}
			if tc.status == http.StatusNoContent {
				assert.Equal(t, "GET, POST, OPTIONS", h.Get("Access-Control-Allow-Methods"))
				for _, want := range []string{"Content-Type", "Authorization", "Idempotency-Key", "Apollo-Require-Preflight", "X-Apollo-Operation-Name", "traceparent"} {
					assert.Contains(t, h.Get("Access-Control-Allow-Headers"), want)
				}
				assert.NotEmpty(t, h.Get("Access-Control-Max-Age"))
			} else {
				assert.Contains(t, h.Get("Access-Control-Expose-Headers"), "X-Request-Id")
			}
		})
	}
}

func TestCSRFPrevention(t *testing.T) {
	on := crossorigin.Config{AllowedOrigins: []string{app}, CSRF: true}
	cases := []struct {
		name       string
		method, ct string
		headers    map[string]string
		refused    bool
	}{
		{"GET", http.MethodGet, "", nil, true},
		{"GET with Apollo-Require-Preflight", http.MethodGet, "", map[string]string{"Apollo-Require-Preflight": "true"}, false},
		{"GET with an empty X-Apollo-Operation-Name", http.MethodGet, "", map[string]string{"X-Apollo-Operation-Name": ""}, false},
		{"GET with a JSON content type is still simple", http.MethodGet, "application/json", nil, true},
		{"HEAD", http.MethodHead, "", nil, true},
		{"POST application/json", http.MethodPost, "application/json", nil, false},
		{"POST application/json with charset", http.MethodPost, "application/json; charset=utf-8", nil, false},
		{"POST application/graphql", http.MethodPost, "application/graphql", nil, false},
		{"POST without a content type", http.MethodPost, "", nil, true},
		{"POST text/plain", http.MethodPost, "text/plain", nil, true},
		{"POST TEXT/PLAIN with charset", http.MethodPost, "TEXT/PLAIN; charset=utf-8", nil, true},
		{"POST form", http.MethodPost, "application/x-www-form-urlencoded", nil, true},
		{"POST multipart", http.MethodPost, "multipart/form-data; boundary=x", nil, true},
		{"POST unparseable content type", http.MethodPost, "application/json; =x", nil, true},
		{"POST text/plain with Apollo-Require-Preflight", http.MethodPost, "text/plain", map[string]string{"Apollo-Require-Preflight": "1"}, false},
		{"POST form with X-Apollo-Operation-Name", http.MethodPost, "application/x-www-form-urlencoded", map[string]string{"X-Apollo-Operation-Name": "Overview"}, false},
		{"PUT needs a preflight anyway", http.MethodPut, "", nil, false},
		{"OPTIONS", http.MethodOptions, "", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{"Origin": app}
			for k, v := range tc.headers {
				headers[k] = v
			}
			rec, reached := serve(on, request(tc.method, tc.ct, headers))
			assert.Equal(t, !tc.refused, reached)
			if !tc.refused {
				assert.NotEqual(t, http.StatusBadRequest, rec.Code)
				return
			}
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Equal(t, app, rec.Header().Get("Access-Control-Allow-Origin"), "the page must be able to read why it was refused")
			var body struct {
				Errors []struct {
					Message    string         `json:"message"`
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
			require.Len(t, body.Errors, 1)
			assert.Equal(t, "CSRF_PREVENTED", body.Errors[0].Extensions["code"])
			assert.Contains(t, body.Errors[0].Message, "Apollo-Require-Preflight")
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		})
	}

	t.Run("off", func(t *testing.T) {
		_, reached := serve(crossorigin.Config{CSRF: false}, request(http.MethodGet, "", nil))
		assert.True(t, reached)
	})
}

func TestResolve(t *testing.T) {
	def := crossorigin.DefaultConfig()
	off := crossorigin.Config{CSRF: false}
	origins := func(list ...string) crossorigin.Config { return crossorigin.Config{AllowedOrigins: list, CSRF: true} }
	cases := []struct {
		name                string
		sandbox, production bool
		read                crossorigin.Config
		want                crossorigin.Config
		err                 bool
	}{
		{"sandbox allows any origin", true, false, def, crossorigin.Config{AllowAny: true, CSRF: true}, false},
		{"production allows none by default", false, true, def, crossorigin.Config{CSRF: true}, false},
		{"real vendors outside production allow none by default", false, false, def, crossorigin.Config{CSRF: true}, false},
		{"a list, tidied", false, true, origins(" https://App.example.com/ ", "http://localhost:3000", ""),
			crossorigin.Config{AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000"}, CSRF: true}, false},
		{"a list replaces the sandbox default", true, false, origins(app),
			crossorigin.Config{AllowedOrigins: []string{app}, CSRF: true}, false},
		{"star", false, true, origins("*"), crossorigin.Config{AllowAny: true, CSRF: true}, false},
		{"CSRF off in development", true, false, off, crossorigin.Config{AllowAny: true}, false},
		{"CSRF cannot be turned off in production", false, true, off, crossorigin.Config{}, true},
		{"host without a scheme", false, true, origins("app.example.com"), crossorigin.Config{}, true},
		{"origin with a path", false, true, origins("https://app.example.com/app"), crossorigin.Config{}, true},
		{"not http", false, true, origins("ftp://app.example.com"), crossorigin.Config{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.read.Resolve(tc.sandbox, tc.production)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
