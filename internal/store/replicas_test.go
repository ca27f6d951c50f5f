package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/config"
	"github.com/switchyard/switchyard/internal/errcode"
	"github.com/switchyard/switchyard/internal/idempotency"
	"github.com/switchyard/switchyard/internal/loaders"
	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/internal/persisted"
	"github.com/switchyard/switchyard/internal/sandbox"
	"github.com/switchyard/switchyard/internal/store"
	"github.com/switchyard/switchyard/internal/store/redistest"
	"github.com/switchyard/switchyard/resolvers"
	"github.com/switchyard/switchyard/vendors/cordial"
)

// replica is one gateway process: its own Redis client (store.Open from
// the URL, as server.go does), its own vendor client and executor, and the
// /query handler assembled in gateway.go's order (persisted queries as a
// gqlgen extension, loaders, then the idempotency guard outside them). It
// carries Cordial only: the vendor both tests call.
func replica(t *testing.T, sb *sandbox.Sandbox, redisURL string) *httptest.Server {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	stores, err := store.Open(context.Background(), store.Config{RedisURL: redisURL}, logger)
	require.NoError(t, err)
	t.Cleanup(func() { _ = stores.Close() })
	require.True(t, stores.Shared)

	cfg, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	sb.Configure(cfg)
	chain := outbound.NewChain(cfg.ChainOptions(config.Cordial))
	t.Cleanup(chain.CloseIdleConnections)
	cordialClient, err := cordial.New(cordial.Config{APIKey: cfg.CordialAPIKey, BaseURL: cfg.CordialBaseURL, HTTPClient: chain.Client()})
	require.NoError(t, err)
	r := &resolvers.Resolver{Cordial: cordialClient}

	srv := handler.New(generated.NewExecutableSchema(generated.Config{
		Resolvers: r,
		// Open, as the sandbox: every caller holds every scope.
		Directives: generated.DirectiveRoot{HasScope: func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) {
			return next(ctx)
		}},
	}))
	srv.AddTransport(transport.GET{UseGrapQLResponseJsonByDefault: true})
	srv.AddTransport(transport.POST{UseGrapQLResponseJsonByDefault: true})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	pq, err := persisted.New(persisted.Options{Cache: stores.APQ})
	require.NoError(t, err)
	pq.Install(srv)
	srv.SetErrorPresenter(errcode.Presenter)
	srv.AroundFields(errcode.FieldMiddleware)

	query := loaders.Middleware(r.Clients(), r.LoaderOptions, srv)
	query = idempotency.Middleware(idempotency.Options{
		Store:          stores.Idempotency,
		PersistedQuery: pq.Lookup,
		Logger:         logger,
		Retryable:      idempotency.FailedWith(errcode.VendorRateLimited, errcode.VendorNotConfigured, persisted.CodeNotFound, persisted.CodeNotAllowed),
	}, query)
	ts := httptest.NewServer(query)
	t.Cleanup(ts.Close)
	return ts
}

type reply struct {
	Status int
	Header http.Header
	Raw    string
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r reply) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// send POSTs a GraphQL request: query text, persisted-query hash, or both,
// with an Idempotency-Key when key is set.
func send(t *testing.T, ts *httptest.Server, query, hash string, vars map[string]any, key string) reply {
	t.Helper()
	body := map[string]any{}
	if query != "" {
		body["query"] = query
	}
	if hash != "" {
		body["extensions"] = map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	}
	if vars != nil {
		body["variables"] = vars
	}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, ts.URL, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(idempotency.KeyHeader, key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	rep := reply{Status: resp.StatusCode, Header: resp.Header, Raw: string(out)}
	require.NoError(t, json.Unmarshal(out, &rep), string(out))
	return rep
}

// cordialCalls counts the requests Cordial's simulator received with method.
func cordialCalls(sb *sandbox.Sandbox, method string) int {
	n := 0
	for _, e := range sb.Recorder.Entries() {
		if e.Vendor == config.Cordial && e.Method == method {
			n++
		}
	}
	return n
}

// TestReplicasShareRedis runs two replicas over one redis-server and one
// set of vendors, as a deployment behind a load balancer does.
func TestReplicasShareRedis(t *testing.T) {
	srv := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	a, b := replica(t, sb, srv.URL), replica(t, sb, srv.URL)

	t.Run("a query registered on A is served by hash on B", func(t *testing.T) {
		q := "query Lists { accountLists { id name } }"
		hash := sha256Hex(q)
		miss := send(t, a, "", hash, nil, "")
		assert.Equal(t, []string{persisted.CodeNotFound}, miss.codes(), "first the hash alone is unknown: %s", miss.Raw)

		reg := send(t, a, q, hash, nil, "")
		require.Empty(t, reg.Errors, reg.Raw)
		require.NotEqual(t, "null", string(reg.Data))

		onB := send(t, b, "", hash, nil, "")
		require.Empty(t, onB.Errors, "B knows the hash without ever seeing the query: %s", onB.Raw)
		assert.JSONEq(t, string(reg.Data), string(onB.Data))
	})

	t.Run("an idempotency key used on A is honoured by B", func(t *testing.T) {
		sb.Recorder.Clear()
		m := `mutation($name: String!) { createAccountList(input: {name: $name}) { id name } }`
		vars := map[string]any{"name": "replicated-once"}
		first := send(t, a, m, "", vars, "replica-key-1")
		require.Equal(t, http.StatusOK, first.Status, first.Raw)
		require.Empty(t, first.Errors, first.Raw)

		again := send(t, b, m, "", vars, "replica-key-1")
		assert.Equal(t, first.Raw, again.Raw, "B replays A's response byte for byte")
		assert.Equal(t, "true", again.Header.Get(idempotency.ReplayedHeader))
		assert.Equal(t, 1, cordialCalls(sb, http.MethodPost), "one vendor call in total")

		other := send(t, b, m, "", map[string]any{"name": "something-else"}, "replica-key-1")
		assert.Equal(t, http.StatusConflict, other.Status)
		assert.Equal(t, []string{errcode.Conflict}, other.codes())
	})

	t.Run("a mutation registered on A and retried by hash on B is replayed", func(t *testing.T) {
		sb.Recorder.Clear()
		m := `mutation CreateList($name: String!) { createAccountList(input: {name: $name}) { id name } }`
		vars := map[string]any{"name": "replicated-by-hash"}
		first := send(t, a, m, sha256Hex(m), vars, "replica-key-2")
		require.Empty(t, first.Errors, first.Raw)

		// B resolves the hash through the shared APQ store to fingerprint
		// the request, so the retry is recognised as the same mutation.
		again := send(t, b, "", sha256Hex(m), vars, "replica-key-2")
		assert.Equal(t, first.Raw, again.Raw)
		assert.Equal(t, "true", again.Header.Get(idempotency.ReplayedHeader))
		assert.Equal(t, 1, cordialCalls(sb, http.MethodPost))
	})

	t.Run("concurrent retries on both replicas make one vendor call", func(t *testing.T) {
		sb.Recorder.Clear()
		var wg sync.WaitGroup
		replies := make([]reply, 8)
		for i := range replies {
			ts := a
			if i%2 == 1 {
				ts = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[i] = send(t, ts, `mutation { deleteAccountList(id: "4") { success } }`, "", nil, "replica-key-3")
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, len(sb.Recorder.Entries()), "one Cordial call for eight requests on two replicas")
		for _, r := range replies[1:] {
			assert.Equal(t, replies[0].Raw, r.Raw, "every client got the same answer")
		}
	})
}
