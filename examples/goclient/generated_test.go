package goclient_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/Khan/genqlient/generate"
	"github.com/stretchr/testify/require"
)

// TestGeneratedCodeIsCurrent regenerates the client in memory from
// genqlient.yaml, that is from the committed SDL and operations.graphql,
// and fails when generated.go differs: the SDL or an operation changed
// without `go generate`, or an operation no longer validates against the
// SDL.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	cfg, err := generate.ReadAndValidateConfig("genqlient.yaml")
	require.NoError(t, err)
	files, err := generate.Generate(cfg)
	require.NoError(t, err, "operations.graphql no longer matches graph/schema.graphql")
	require.NotEmpty(t, files)
	for name, want := range files {
		got, err := os.ReadFile(name)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got),
			"%s is stale: run `go generate` in examples/goclient and commit the result", filepath.Base(name))
	}
}
