// To be added by the lead as internal/gateway/replicas_test.go once gateway.Options has
// APQCache, Idempotency, Manifest and PersistedOnly (see the wiring in the report).
// Verified against that wiring: both tests pass with -race.

package gateway_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/config"
	"github.com/switchyard/switchyard/internal/gateway"
	"github.com/switchyard/switchyard/internal/persisted"
	"github.com/switchyard/switchyard/internal/sandbox"
	"github.com/switchyard/switchyard/internal/store"
	"github.com/switchyard/switchyard/internal/store/redistest"
)

// newReplica is one gateway process over the shared sandbox sb: its own
// Redis client opened from redisURL as server.go opens it, and its own
// vendor clients.
func newReplica(t *testing.T, sb *sandbox.Sandbox, redisURL string) *env {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	stores, err := store.Open(context.Background(), store.Config{RedisURL: redisURL}, logger)
	require.NoError(t, err)
	t.Cleanup(func() { _ = stores.Close() })
	gw, err := gateway.New(cfg, gateway.Options{Simulated: true, Logger: logger, APQCache: stores.APQ, Idempotency: stores.Idempotency})
	require.NoError(t, err)
	t.Cleanup(func() { _ = gw.Close() })
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return &env{t: t, sb: sb, gw: gw, srv: srv, logs: logs}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// persistedRequest is a GraphQL body with extensions.persistedQuery, and
// the query text too when query is not empty.
func persistedRequest(t *testing.T, query, hash string, vars map[string]any) []byte {
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	if vars != nil {
		body["variables"] = vars
	}
	return []byte(mustJSON(t, body))
}

func (e *env) postWithKey(key string, body []byte) *response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/query", bytes.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return e.send(req)
}

func TestReplicasShareRedis(t *testing.T) {
	rs := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	a, b := newReplica(t, sb, rs.URL), newReplica(t, sb, rs.URL)

	t.Run("a query registered on A is served by hash on B", func(t *testing.T) {
		q := "query Lists { accountLists { id name } }"
		miss := a.post("application/json", persistedRequest(t, "", sha256Hex(q), nil))
		assert.Equal(t, []string{persisted.CodeNotFound}, miss.codes(), miss.Raw)
		reg := a.post("application/json", persistedRequest(t, q, sha256Hex(q), nil))
		require.Empty(t, reg.Errors, reg.Raw)
		onB := b.post("application/json", persistedRequest(t, "", sha256Hex(q), nil))
		require.Empty(t, onB.Errors, onB.Raw)
		assert.JSONEq(t, string(reg.Data), string(onB.Data))
	})

	t.Run("an idempotency key used on A is honoured by B", func(t *testing.T) {
		sb.Recorder.Clear()
		m := `mutation($name: String!) { createAccountList(input: {name: $name}) { id name } }`
		first := a.mutateWithKey("replica-key-1", m, map[string]any{"name": "replicated-once"})
		require.Empty(t, first.Errors, first.Raw)
		again := b.mutateWithKey("replica-key-1", m, map[string]any{"name": "replicated-once"})
		assert.Equal(t, first.Raw, again.Raw, "B replays A's bytes")
		assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		posts := 0
		for _, c := range a.calls("cordial") {
			if c.Method == http.MethodPost {
				posts++
			}
		}
		assert.Equal(t, 1, posts, "one vendor call in total")
		other := b.mutateWithKey("replica-key-1", m, map[string]any{"name": "something-else"})
		assert.Equal(t, http.StatusConflict, other.Status)
		assert.Equal(t, []string{"CONFLICT"}, other.codes())
	})

	t.Run("a mutation registered on A and retried by hash on B is replayed", func(t *testing.T) {
		sb.Recorder.Clear()
		m := `mutation CreateList($name: String!) { createAccountList(input: {name: $name}) { id } }`
		vars := map[string]any{"name": "replicated-by-hash"}
		first := a.postWithKey("replica-key-2", persistedRequest(t, m, sha256Hex(m), vars))
		require.Empty(t, first.Errors, first.Raw)
		again := b.postWithKey("replica-key-2", persistedRequest(t, "", sha256Hex(m), vars))
		assert.Equal(t, first.Raw, again.Raw)
		assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		assert.Len(t, a.calls("cordial"), 1)
	})

	t.Run("concurrent retries on both replicas make one vendor call", func(t *testing.T) {
		sb.Recorder.Clear()
		var wg sync.WaitGroup
		for i := range 8 {
			e := a
			if i%2 == 1 {
				e = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.mutateWithKey("replica-key-3", `mutation { deleteAccountList(id: "4") { success } }`, nil)
			}()
		}
		wg.Wait()
		assert.Len(t, a.calls("cordial"), 1)
	})
}

// TestSafelistGateway runs the gateway in safelist mode (no Redis needed).
func TestSafelistGateway(t *testing.T) {
	listed := "query Version { gateway { version } }"
	m, err := persisted.ParseManifest([]byte(mustJSON(t, map[string]any{
		"format": "apollo-persisted-query-manifest", "version": 1,
		"operations": []map[string]any{{"id": "version-v1", "body": listed, "name": "Version", "type": "query"}},
	})))
	require.NoError(t, err)
	e := newEnv(t, func(_ *config.Config, o *gateway.Options) { o.Manifest, o.PersistedOnly = m, true })

	ok := e.query(listed, nil)
	require.Empty(t, ok.Errors, ok.Raw)
	byID := e.post("application/json", persistedRequest(t, "", "version-v1", nil))
	require.Empty(t, byID.Errors, byID.Raw)
	assert.JSONEq(t, string(ok.Data), string(byID.Data))

	for name, body := range map[string][]byte{
		"text":             []byte(mustJSON(t, map[string]any{"query": "{ gateway { sandbox } }"})),
		"APQ registration": persistedRequest(t, "{ gateway { sandbox } }", sha256Hex("{ gateway { sandbox } }"), nil),
		"unknown hash":     persistedRequest(t, "", sha256Hex("{ gateway { sandbox } }"), nil),
	} {
		t.Run("refuses unlisted "+name, func(t *testing.T) {
			// A request error: 400 under application/graphql-response+json
			// (under application/json GraphQL over HTTP wants 200).
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/query", bytes.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/graphql-response+json")
			r := e.send(req)
			assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
			assert.Equal(t, []string{persisted.CodeNotAllowed}, r.codes())
			assert.False(t, len(r.Data) > 0 && string(r.Data) != "null", "nothing ran")
		})
	}
	e.sb.Recorder.Clear()
	m2 := e.mutateWithKey("k", `mutation { deleteAccountList(id: "4") { success } }`, nil)
	assert.Equal(t, []string{persisted.CodeNotAllowed}, m2.codes(), "an unlisted mutation is refused even with a key")
	assert.Empty(t, e.sb.Recorder.Entries())
}
