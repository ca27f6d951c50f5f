package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

func TestBrowserLimitsLoggingWired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	get := func(q string, h map[string]string) *gatewaytest.Response {
		req, err := http.NewRequest(http.MethodGet, e.Server.URL+"/query?query="+url.QueryEscape(q), nil)
		require.NoError(t, err)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		req.Header.Set("Accept", "application/graphql-response+json")
		return e.Send(req)
	}
	r := get(`{ gateway { version } }`, nil)
	assert.Equal(t, 400, r.Status, r.Raw)
	assert.Equal(t, []string{"CSRF_PREVENTED"}, r.Codes())
	r = get(`{ gateway { version } }`, map[string]string{"Apollo-Require-Preflight": "true", "X-Request-Id": "my-id-1"})
	assert.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "my-id-1", r.Header.Get("X-Request-Id"))

	r = e.Query(`{ customers { nodes { person { customers { person { customers { person { customers { person { customers { id } } } } } } } } } } }`, nil)
	assert.Equal(t, []string{"QUERY_TOO_DEEP"}, r.Codes(), r.Raw)
	// No Accept means application/json, where a request error is 200.
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	r = e.Query(`{ __schema { queryType { name } } }`, nil)
	assert.Empty(t, r.Errors, r.Raw)

	req, _ := http.NewRequest(http.MethodOptions, e.Server.URL+"/query", nil)
	req.Header.Set("Origin", "https://studio.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, "https://studio.example", resp.Header.Get("Access-Control-Allow-Origin"))

	logs := e.Logs.String()
	t.Log(logs)
	assert.Contains(t, logs, "request_id=my-id-1")
	assert.NotContains(t, logs, "gateway { version }")
	assert.True(t, strings.Contains(logs, "path=/query"))
}
