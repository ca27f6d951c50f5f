package graphiql_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/graphiql"
)

// startGateway serves a real gateway in front of the vendor simulators,
// with this package's page at / and its files under AssetPath, as
// gateway.New mounts them.
func startGateway(t *testing.T) *httptest.Server {
	t.Helper()
	page := graphiql.Handler(graphiql.Options{
		Endpoint:     "/query",
		DefaultQuery: gateway.DefaultQuery,
		Tabs:         graphiql.Examples(vendorExamples()...),
	})
	return gatewaytest.Start(t, func(s *gatewaytest.Setup) {
		s.Wrap = func(gw http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, graphiql.AssetPath) {
					page.ServeHTTP(w, r)
					return
				}
				gw.ServeHTTP(w, r)
			})
		}
	}).Server
}

// Every example tab runs without an error against the sandbox, as a user
// who presses run on it would see.
func TestExamplesRunAgainstTheSandbox(t *testing.T) {
	srv := startGateway(t)
	for _, tab := range graphiql.Examples(vendorExamples()...) {
		t.Run(tab.Name, func(t *testing.T) {
			req := map[string]any{"query": tab.Query}
			if tab.Variables != "" {
				req["variables"] = json.RawMessage(tab.Variables)
			}
			body, err := json.Marshal(req)
			require.NoError(t, err)
			var headers []string
			if tab.Headers != "" {
				var h map[string]string
				require.NoError(t, json.Unmarshal([]byte(tab.Headers), &h))
				for k, v := range h {
					headers = append(headers, k, v)
				}
			}
			r := gatewaytest.Post(t, srv.URL+"/query", "application/json", body, headers...)
			require.Equal(t, http.StatusOK, r.Status, r.Raw)
			assert.Empty(t, r.Errors, r.Raw)
			if strings.Contains(tab.Headers, "X-Switchyard-Plan") {
				assert.False(t, r.HasData(), "a plan runs nothing: %s", r.Raw)
				assert.Contains(t, r.Raw, `"plan":{`, "the plan is in extensions")
				return
			}
			var data map[string]json.RawMessage
			r.Into(t, &data)
			require.Len(t, data, 1, r.Raw)
			for field, v := range data {
				assert.NotEqual(t, "null", string(v), "%s is null: %s", field, r.Raw)
			}
		})
	}
}
