package persisted_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/persisted"
	"github.com/switchyard/switchyard/resolvers"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func hashOf(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

// newServer serves the real schema (no vendor configured: the gateway
// field needs none) the way gateway.go assembles it, with q installed.
func newServer(t *testing.T, q *persisted.Queries) *httptest.Server {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers: &resolvers.Resolver{Info: model.GatewayInfo{Version: "test"}},
		Directives: generated.DirectiveRoot{HasScope: func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) {
			return next(ctx)
		}},
	})
	srv := handler.New(schema)
	srv.AddTransport(transport.GET{UseGrapQLResponseJsonByDefault: true})
	srv.AddTransport(transport.POST{UseGrapQLResponseJsonByDefault: true})
	q.Install(srv)
	srv.SetErrorPresenter(errcode.Presenter)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// request is a GraphQL POST body: query text, persisted-query hash, or both.
func request(query, hash string) map[string]any {
	body := map[string]any{}
	if query != "" {
		body["query"] = query
	}
	if hash != "" {
		body["extensions"] = map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	}
	return body
}

func post(t *testing.T, ts *httptest.Server, body map[string]any, accept string) *gatewaytest.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	var header []string
	if accept != "" {
		header = []string{"Accept", accept}
	}
	r := gatewaytest.Post(t, ts.URL, "application/json", raw, header...)
	require.Contains(t, r.Header.Get("Content-Type"), "json", "a GraphQL reply: %s", r.Raw)
	return r
}

func TestAutomaticPersistedQueries(t *testing.T) {
	cache := lru.New[string](100)
	q, err := persisted.New(persisted.Options{Cache: cache})
	require.NoError(t, err)
	ts := newServer(t, q)
	hash := hashOf(versionQuery)

	first := post(t, ts, request("", hash), "")
	assert.Equal(t, http.StatusOK, first.Status, first.Raw)
	assert.Equal(t, []string{persisted.CodeNotFound}, first.Codes(), "an unknown hash asks for the query")
	assert.False(t, first.HasData())

	register := post(t, ts, request(versionQuery, hash), "")
	assert.Empty(t, register.Errors, register.Raw)
	assert.JSONEq(t, `{"gateway":{"version":"test"}}`, string(register.Data))

	byHash := post(t, ts, request("", hash), "")
	assert.Empty(t, byHash.Errors, byHash.Raw)
	assert.JSONEq(t, `{"gateway":{"version":"test"}}`, string(byHash.Data))
	text, ok := q.Lookup(context.Background(), hash)
	assert.True(t, ok, "Lookup resolves what the extension resolves")
	assert.Equal(t, versionQuery, text)

	wrong := post(t, ts, request(sandboxQuery, hash), "")
	require.Len(t, wrong.Errors, 1, wrong.Raw)
	assert.Contains(t, wrong.Errors[0].Message, "hash does not match")
	assert.False(t, wrong.HasData())
}

func TestAPQDoesNotRegisterLargeQueries(t *testing.T) {
	cache := lru.New[string](100)
	q, err := persisted.New(persisted.Options{Cache: cache, MaxQueryBytes: len(versionQuery) - 1})
	require.NoError(t, err)
	ts := newServer(t, q)
	hash := hashOf(versionQuery)

	full := post(t, ts, request(versionQuery, hash), "")
	assert.Empty(t, full.Errors, "a query over the bound still runs: %s", full.Raw)
	assert.True(t, full.HasData())
	_, ok := cache.Get(context.Background(), hash)
	assert.False(t, ok, "but is not registered")
	again := post(t, ts, request("", hash), "")
	assert.Equal(t, []string{persisted.CodeNotFound}, again.Codes())
}

func TestManifestBesideAPQ(t *testing.T) {
	m, err := persisted.ParseManifest([]byte(apolloFixture))
	require.NoError(t, err)
	cache := lru.New[string](100)
	q, err := persisted.New(persisted.Options{Cache: cache, Manifest: m})
	require.NoError(t, err)
	ts := newServer(t, q)

	byID := post(t, ts, request("", customID), "")
	assert.Empty(t, byID.Errors, "a manifest id need not be a SHA-256: %s", byID.Raw)
	assert.JSONEq(t, `{"gateway":{"version":"test"}}`, string(byID.Data))

	adHoc := "{ gateway { sandbox } }"
	reg := post(t, ts, request(adHoc, hashOf(adHoc)), "")
	assert.Empty(t, reg.Errors, "without Only, other queries still register and run: %s", reg.Raw)
	_, ok := cache.Get(context.Background(), hashOf(adHoc))
	assert.True(t, ok)
	assert.Contains(t, q.Describe(), "2 operations of the manifest")
}

func TestSafelist(t *testing.T) {
	m, err := persisted.ParseManifest([]byte(apolloFixture))
	require.NoError(t, err)
	cache := lru.New[string](100)
	q, err := persisted.New(persisted.Options{Cache: cache, Manifest: m, Only: true})
	require.NoError(t, err)
	ts := newServer(t, q)
	const graphQLResponse = "application/graphql-response+json"
	adHoc := "query Vendors { gateway { vendors { name } } }"

	allowed := []struct {
		name string
		body map[string]any
	}{
		{"listed text", request(versionQuery, "")},
		{"listed text, reformatted", request("query Version {\n  gateway { version } # why\n}", "")},
		{"listed text with its hash", request(versionQuery, hashOf(versionQuery))},
		{"by custom id", request("", customID)},
		{"by the SHA-256 of a listed body", request("", hashOf(versionQuery))},
	}
	for _, tt := range allowed {
		t.Run("allows "+tt.name, func(t *testing.T) {
			r := post(t, ts, tt.body, "")
			assert.Equal(t, http.StatusOK, r.Status, r.Raw)
			assert.Empty(t, r.Errors, r.Raw)
			assert.JSONEq(t, `{"gateway":{"version":"test"}}`, string(r.Data))
		})
	}

	refused := []struct {
		name   string
		body   map[string]any
		accept string
		status int
	}{
		{"unlisted text", request(adHoc, ""), "", http.StatusBadRequest},
		{"unlisted text, graphql-response+json", request(adHoc, ""), graphQLResponse, http.StatusBadRequest},
		// gqlgen answers request errors to an application/json client
		// with 422, as it does validation failures.
		{"unlisted text, application/json", request(adHoc, ""), "application/json", http.StatusUnprocessableEntity},
		{"APQ registration of an unlisted query", request(adHoc, hashOf(adHoc)), "", http.StatusBadRequest},
		{"unlisted hash", request("", hashOf(adHoc)), "", http.StatusBadRequest},
		{"a listed hash with unlisted text", request(adHoc, hashOf(versionQuery)), "", http.StatusBadRequest},
		{"unparseable text", request("query {", ""), "", http.StatusBadRequest},
		{"introspection", request("{ __schema { queryType { name } } }", ""), "", http.StatusBadRequest},
	}
	for _, tt := range refused {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			r := post(t, ts, tt.body, tt.accept)
			assert.Equal(t, tt.status, r.Status, r.Raw)
			assert.Equal(t, []string{persisted.CodeNotAllowed}, r.Codes(), r.Raw)
			assert.False(t, r.HasData(), "nothing ran")
		})
	}

	t.Run("registers nothing", func(t *testing.T) {
		_, ok := cache.Get(context.Background(), hashOf(adHoc))
		assert.False(t, ok, "the cache is untouched in safelist mode")
		_, ok = q.Lookup(context.Background(), hashOf(adHoc))
		assert.False(t, ok)
		text, ok := q.Lookup(context.Background(), customID)
		assert.True(t, ok, "Lookup resolves manifest ids for the idempotency guard")
		assert.Equal(t, versionQuery, text)
	})

	t.Run("GET by id, as Apollo's useGETForHashedQueries sends it", func(t *testing.T) {
		v := url.Values{}
		v.Set("extensions", `{"persistedQuery":{"version":1,"sha256Hash":"`+customID+`"}}`)
		req, err := http.NewRequest(http.MethodGet, ts.URL+"?"+v.Encode(), nil)
		require.NoError(t, err)
		r := gatewaytest.Send(t, req)
		assert.Empty(t, r.Errors, r.Raw)
		assert.JSONEq(t, `{"gateway":{"version":"test"}}`, string(r.Data))

		v.Set("extensions", `{"persistedQuery":{"version":1,"sha256Hash":"`+hashOf(adHoc)+`"}}`)
		req, err = http.NewRequest(http.MethodGet, ts.URL+"?"+v.Encode(), nil)
		require.NoError(t, err)
		r = gatewaytest.Send(t, req)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Equal(t, []string{persisted.CodeNotAllowed}, r.Codes())
	})

	t.Run("the refusal does not echo the query", func(t *testing.T) {
		r := post(t, ts, request("query Secret { gateway { version sandbox } }", ""), "")
		assert.NotContains(t, r.Raw, "Secret")
	})
	assert.True(t, strings.HasPrefix(q.Describe(), "safelist"), q.Describe())
}

func TestNewNeedsManifestForSafelist(t *testing.T) {
	_, err := persisted.New(persisted.Options{Only: true})
	require.Error(t, err)
	assert.Error(t, persisted.Safelist{}.Validate(nil))
}
