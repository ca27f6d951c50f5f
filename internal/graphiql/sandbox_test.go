package graphiql_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/config"
	"github.com/switchyard/switchyard/internal/gateway"
	"github.com/switchyard/switchyard/internal/graphiql"
	"github.com/switchyard/switchyard/internal/sandbox"
)

// startGateway serves a real gateway in front of the vendor simulators,
// with this package's page at / and its files under AssetPath, as
// gateway.New mounts them.
func startGateway(t *testing.T) *httptest.Server {
	t.Helper()
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	gw, err := gateway.New(cfg, gateway.Options{Simulated: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = gw.Close() })

	page := graphiql.Handler(graphiql.Options{
		Endpoint:     "/query",
		DefaultQuery: gateway.DefaultQuery,
		Tabs:         graphiql.Examples(),
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, graphiql.AssetPath) {
			page.ServeHTTP(w, r)
			return
		}
		gw.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Every example tab runs without an error against the sandbox, as a user
// who presses run on it would see.
func TestExamplesRunAgainstTheSandbox(t *testing.T) {
	srv := startGateway(t)
	for _, tab := range graphiql.Examples() {
		t.Run(tab.Name, func(t *testing.T) {
			req := map[string]any{"query": tab.Query}
			if tab.Variables != "" {
				req["variables"] = json.RawMessage(tab.Variables)
			}
			body, err := json.Marshal(req)
			require.NoError(t, err)
			resp, err := http.Post(srv.URL+"/query", "application/json", bytes.NewReader(body))
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
			var out struct {
				Data   map[string]json.RawMessage `json:"data"`
				Errors []json.RawMessage          `json:"errors"`
			}
			require.NoError(t, json.Unmarshal(raw, &out), string(raw))
			assert.Empty(t, out.Errors, string(raw))
			require.Len(t, out.Data, 1, string(raw))
			for field, v := range out.Data {
				assert.NotEqual(t, "null", string(v), "%s is null: %s", field, raw)
			}
		})
	}
}
