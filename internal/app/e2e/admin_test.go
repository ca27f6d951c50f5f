package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

func production(adminAddr string) gatewaytest.Option {
	return func(s *gatewaytest.Setup) {
		s.Config.Production = true
		s.Config.Server.AdminAddr = adminAddr
	}
}

func get(t *testing.T, url, key string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestOperationalRoutesClosedToStrangers (issue 18, item 7): in
// production /readyz and /metrics describe the deployment (vendors,
// breakers, traffic), so an anonymous client of the public port gets
// 401 for them; with SWITCHYARD_ADMIN_ADDR they are on the admin
// listener only. /healthz stays open on both.
func TestOperationalRoutesClosedToStrangers(t *testing.T) {
	t.Parallel()
	t.Run("production, no admin listener", func(t *testing.T) {
		tel, _ := withTelemetry(t)
		e := newEnv(t, withAPIKeys(t), tel, production(""))
		for _, path := range []string{"/readyz", "/metrics"} {
			assert.Equal(t, http.StatusUnauthorized, get(t, e.Server.URL+path, ""), path)
			assert.Equal(t, http.StatusOK, get(t, e.Server.URL+path, readerKey), path)
		}
		assert.Equal(t, http.StatusOK, get(t, e.Server.URL+"/healthz", ""))
	})
	t.Run("admin listener", func(t *testing.T) {
		tel, _ := withTelemetry(t)
		e := newEnv(t, withAPIKeys(t), tel, production("127.0.0.1:0"))
		admin := httptest.NewServer(e.Gateway.Admin())
		t.Cleanup(admin.Close)
		for _, path := range []string{"/readyz", "/metrics"} {
			assert.Equal(t, http.StatusNotFound, get(t, e.Server.URL+path, readerKey), "%s left the public port", path)
		}
		for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
			assert.Equal(t, http.StatusOK, get(t, admin.URL+path, ""), path)
		}
		assert.Equal(t, http.StatusOK, get(t, e.Server.URL+"/healthz", ""))
		assert.Equal(t, http.StatusNotFound, get(t, admin.URL+"/debug/pprof/", ""), "the profiler only in a build with -tags pprof")
		assert.Equal(t, http.StatusNotFound, get(t, admin.URL+"/query", ""), "no GraphQL on the admin port")
	})
}
