package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/persisted"
)

// writeFile replaces path's content the way Kubernetes updates a mounted
// Secret: a new file renamed over the old one, never a half-written file.
func writeFile(t *testing.T, path string, lines ...string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// A key added to the keys file works and a key removed is refused, on
// Reload (SIGHUP) and, with WatchFiles, on the file changing, without a
// restart; a file that does not parse keeps the keys read before, and the
// log says why.
func TestReloadAPIKeys(t *testing.T) {
	t.Parallel()
	const oldKey, newKey = "old-key-0123456789abcdef", "new-key-0123456789abcdef"
	file := filepath.Join(t.TempDir(), "keys")
	writeFile(t, file, auth.HashKey(oldKey)+" read")
	authn, err := auth.New(auth.Config{APIKeysFile: file})
	require.NoError(t, err)
	e := newEnv(t, func(s *gatewaytest.Setup) { s.Options.Auth = authn })
	const q = `{ accountLists { id } }`
	status := func(key string) int { return e.queryAs(key, q).Status }

	require.Equal(t, http.StatusOK, status(oldKey))
	require.Equal(t, http.StatusUnauthorized, status(newKey))

	// Rotation: the new key added, the old one removed.
	writeFile(t, file, "# rotated", auth.HashKey(newKey)+" read")
	require.NoError(t, e.Gateway.Reload())
	assert.Equal(t, http.StatusOK, status(newKey), "a key added is served without a restart")
	assert.Equal(t, http.StatusUnauthorized, status(oldKey), "a key removed is refused without a restart")
	assert.Contains(t, e.Logs.String(), "API keys file reloaded")

	// A bad file: the key in clear by mistake. The keys stay as they were,
	// and the log says why without quoting the line.
	writeFile(t, file, "paste-of-a-secret-key read")
	err = e.Gateway.Reload()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 1")
	assert.Equal(t, http.StatusOK, status(newKey), "a bad file keeps the keys read before")
	assert.Equal(t, http.StatusUnauthorized, status(oldKey))
	assert.Contains(t, e.Logs.String(), "API keys file not reloaded")
	assert.NotContains(t, e.Logs.String(), "paste-of-a-secret-key")

	// An empty file is bad too: it would lock every client out.
	writeFile(t, file, "")
	require.Error(t, e.Gateway.Reload())
	assert.Equal(t, http.StatusOK, status(newKey))

	// On change, without a signal.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Gateway.WatchFiles(ctx, 10*time.Millisecond) }()
	t.Cleanup(func() { cancel(); <-done })
	writeFile(t, file, auth.HashKey(oldKey)+" read")
	require.Eventually(t, func() bool { return status(oldKey) == http.StatusOK }, 10*time.Second, 20*time.Millisecond,
		"the watched file's new key is served")
	assert.Equal(t, http.StatusUnauthorized, status(newKey))
}

// The persisted query manifest reloads the same way: in safelist mode an
// operation added runs, one removed is refused, and a bad manifest keeps
// the one read before.
func TestReloadManifest(t *testing.T) {
	t.Parallel()
	const first, second = "query First { gateway { version } }", "query Second { accountLists { id } }"
	file := filepath.Join(t.TempDir(), "manifest.json")
	writeFile(t, file, mustJSON(t, map[string]string{sha256Hex(first): first}))
	m, err := persisted.LoadManifest(file)
	require.NoError(t, err)
	e := newEnv(t, func(s *gatewaytest.Setup) {
		s.Config.Persisted.ManifestPath, s.Config.Persisted.Only = file, true
		s.Options.Manifest, s.Options.PersistedOnly = m, true
	})
	runs := func(q string) bool { r := e.Query(q, nil); return len(r.Errors) == 0 && r.HasData() }

	require.True(t, runs(first))
	require.False(t, runs(second))

	writeFile(t, file, mustJSON(t, map[string]string{sha256Hex(second): second}))
	require.NoError(t, e.Gateway.Reload())
	assert.True(t, runs(second), "an operation added to the manifest runs")
	assert.False(t, runs(first), "an operation removed is refused")
	byID := e.Post("application/json", []byte(mustJSON(t, map[string]any{"documentId": "sha256:" + sha256Hex(second)})))
	assert.Empty(t, byID.Errors, byID.Raw)

	writeFile(t, file, `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "body": "query {"}]}`)
	err = e.Gateway.Reload()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SWITCHYARD_PERSISTED_MANIFEST")
	assert.True(t, runs(second), "a bad manifest keeps the one read before")
	assert.Contains(t, e.Logs.String(), "persisted query manifest not reloaded")
}
