package e2e

import (
	"flag"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateSDL = flag.Bool("update", false, "rewrite graph/schema.graphql from the served schema")

const committedSDL = "../../../graph/schema.graphql"

// The SDL codegen clients read is committed, and must be exactly what the
// server serves at /schema.graphql. Regenerate with:
//
//	go test ./internal/app/e2e -run TestCommittedSDL -update
func TestCommittedSDLMatchesServedSchema(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := http.Get(e.Server.URL + "/schema.graphql")
	require.NoError(t, err)
	defer resp.Body.Close()
	served, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(served), "type Query")
	assert.Contains(t, string(served), `"""`, "descriptions are kept for codegen")
	if *updateSDL {
		require.NoError(t, os.WriteFile(committedSDL, served, 0o644))
	}
	committed, err := os.ReadFile(committedSDL)
	require.NoError(t, err, "graph/schema.graphql is missing: run go test ./internal/app/e2e -run TestCommittedSDL -update")
	assert.Equal(t, string(committed), string(served), "graph/schema.graphql is stale: run go test ./internal/app/e2e -run TestCommittedSDL -update")
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := http.Get(e.Server.URL + "/readyz")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"ready","sandbox":true,"shared_state":{"store":"memory"},"vendors":{
		"ortto":{"configured":true,"simulated":true,"breaker":"closed","rate_limit":"local","cache":"off"},"apptivo":{"configured":true,"simulated":true,"breaker":"closed","rate_limit":"unlimited","cache":"off"},
		"appdirect":{"configured":true,"simulated":true,"breaker":"closed","rate_limit":"unlimited","cache":"off"},"cordial":{"configured":true,"simulated":true,"breaker":"closed","rate_limit":"unlimited","cache":"off"}}}`, string(body))

	resp, err = http.Get(e.Server.URL + "/")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(page), "GraphiQL")
	assert.Contains(t, string(page), "accountLists", "the default query is on the page")
}
