package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/persisted"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// newReplica is one gateway process over the shared sandbox sb: its own
// Redis client opened from redisURL as server.go opens it, and its own
// vendor clients.
func newReplica(t *testing.T, sb *sandbox.Sandbox, redisURL string) *env {
	t.Helper()
	return &env{gatewaytest.StartOn(t, sb, func(s *gatewaytest.Setup) {
		stores, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: redisURL}, s.Options.Logger)
		require.NoError(t, err)
		t.Cleanup(func() { _ = stores.Close() })
		s.Options.APQCache, s.Options.Idempotency = stores.APQ, stores.Idempotency
	})}
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

func TestReplicasShareRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	a, b := newReplica(t, sb, rs.URL), newReplica(t, sb, rs.URL)

	t.Run("a query registered on A is served by hash on B", func(t *testing.T) {
		q := "query Lists { accountLists { id name } }"
		miss := a.Post("application/json", persistedRequest(t, "", sha256Hex(q), nil))
		assert.Equal(t, []string{persisted.CodeNotFound}, miss.Codes(), miss.Raw)
		reg := a.Post("application/json", persistedRequest(t, q, sha256Hex(q), nil))
		require.Empty(t, reg.Errors, reg.Raw)
		onB := b.Post("application/json", persistedRequest(t, "", sha256Hex(q), nil))
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
		for _, c := range a.Calls("cordial") {
			if c.Method == http.MethodPost {
				posts++
			}
		}
		assert.Equal(t, 1, posts, "one vendor call in total")
		other := b.mutateWithKey("replica-key-1", m, map[string]any{"name": "something-else"})
		assert.Equal(t, http.StatusConflict, other.Status)
		assert.Equal(t, []string{"CONFLICT"}, other.Codes())
	})

	t.Run("a mutation registered on A and retried by hash on B is replayed", func(t *testing.T) {
		sb.Recorder.Clear()
		m := `mutation CreateList($name: String!) { createAccountList(input: {name: $name}) { id } }`
		vars := map[string]any{"name": "replicated-by-hash"}
		first := a.Post("application/json", persistedRequest(t, m, sha256Hex(m), vars), "Idempotency-Key", "replica-key-2")
		require.Empty(t, first.Errors, first.Raw)
		again := b.Post("application/json", persistedRequest(t, "", sha256Hex(m), vars), "Idempotency-Key", "replica-key-2")
		assert.Equal(t, first.Raw, again.Raw)
		assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		assert.Len(t, a.Calls("cordial"), 1)
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
		assert.Len(t, a.Calls("cordial"), 1)
	})
}

// TestSafelistGateway runs the gateway in safelist mode (no Redis needed).
func TestSafelistGateway(t *testing.T) {
	t.Parallel()
	listed := "query Version { gateway { version } }"
	m, err := persisted.ParseManifest([]byte(mustJSON(t, map[string]any{
		"format": "apollo-persisted-query-manifest", "version": 1,
		"operations": []map[string]any{{"id": "version-v1", "body": listed, "name": "Version", "type": "query"}},
	})))
	require.NoError(t, err)
	e := newEnv(t, func(s *gatewaytest.Setup) { s.Options.Manifest, s.Options.PersistedOnly = m, true })

	ok := e.Query(listed, nil)
	require.Empty(t, ok.Errors, ok.Raw)
	byID := e.Post("application/json", persistedRequest(t, "", "version-v1", nil))
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
			r := gatewaytest.Post(t, e.Server.URL+"/query", "application/json", body, "Accept", "application/graphql-response+json")
			assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
			assert.Equal(t, []string{persisted.CodeNotAllowed}, r.Codes())
			assert.False(t, r.HasData(), "nothing ran")
		})
	}
	e.Sandbox.Recorder.Clear()
	m2 := e.mutateWithKey("k", `mutation { deleteAccountList(id: "4") { success } }`, nil)
	assert.Equal(t, []string{persisted.CodeNotAllowed}, m2.Codes(), "an unlisted mutation is refused even with a key")
	assert.Empty(t, e.Sandbox.Recorder.Entries())
}
