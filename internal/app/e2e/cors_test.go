package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/costplan"
	"github.com/switchyard/switchyard/internal/policy/idempotency"
)

// A page on another origin can send every request header the README
// documents and read every response header it documents: a header missing
// from the preflight's allow list blocks the request, one missing from the
// expose list is hidden from the page's code.
func TestCORSCoversDocumentedHeaders(t *testing.T) {
	t.Parallel()
	const page = "https://app.example.com"
	e := newEnv(t, func(s *gatewaytest.Setup) {
		s.Config.Browser.AllowAny, s.Config.Browser.AllowedOrigins = false, []string{page}
	})
	requestHeaders := []string{
		"Content-Type", "Accept", "Authorization",
		idempotency.KeyHeader, costplan.CostHeader, costplan.PlanHeader,
		"Apollo-Require-Preflight", "X-Apollo-Operation-Name", "X-Request-Id",
		"If-None-Match", "traceparent", "tracestate",
	}
	responseHeaders := []string{"ETag", idempotency.ReplayedHeader, "Retry-After", "X-Request-Id", "WWW-Authenticate", "Allow"}

	for _, path := range []string{"/query", "/schema.graphql"} {
		t.Run("preflight "+path, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodOptions, e.Server.URL+path, nil)
			require.NoError(t, err)
			req.Header.Set("Origin", page)
			req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			req.Header.Set("Access-Control-Request-Headers", strings.ToLower(strings.Join(requestHeaders, ",")))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusNoContent, resp.StatusCode)
			assert.Equal(t, page, resp.Header.Get("Access-Control-Allow-Origin"))
			allowed := headerSet(resp.Header.Get("Access-Control-Allow-Headers"))
			for _, h := range requestHeaders {
				assert.True(t, allowed[strings.ToLower(h)], "a page cannot send %s: the preflight does not allow it (%s)", h, resp.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}

	t.Run("expose on /query", func(t *testing.T) {
		r := e.Query(`{ accountLists { id } }`, nil, "Origin", page, costplan.CostHeader, "true")
		require.Empty(t, r.Errors, r.Raw)
		assert.Equal(t, page, r.Header.Get("Access-Control-Allow-Origin"))
		exposed := headerSet(r.Header.Get("Access-Control-Expose-Headers"))
		for _, h := range responseHeaders {
			assert.True(t, exposed[strings.ToLower(h)], "page code cannot read %s (%s)", h, r.Header.Get("Access-Control-Expose-Headers"))
		}
	})

	t.Run("GET /schema.graphql from another origin", func(t *testing.T) {
		resp := getSDL(t, e, page)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, page, resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, resp.Header.Values("Vary"), "Origin")
	})

	t.Run("POST /schema.graphql is refused", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/schema.graphql", strings.NewReader("{}"))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
	})

	t.Run("another origin gets no CORS headers on /schema.graphql", func(t *testing.T) {
		resp := getSDL(t, e, "https://evil.example")
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	})
}

// headerSet splits a comma-separated header list into lower-case names.
func headerSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		set[strings.ToLower(strings.TrimSpace(name))] = true
	}
	return set
}

// getSDL reads /schema.graphql as a page on origin would.
func getSDL(t *testing.T, e *env, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.Server.URL+"/schema.graphql", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}
