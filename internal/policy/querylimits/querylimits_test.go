package querylimits_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/app/gateway"
	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/registry"
	"github.com/switchyard/switchyard/internal/base/vendorkit"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
	"github.com/switchyard/switchyard/resolvers"
)

// newServer builds the gqlgen server the way internal/app/gateway does,
// with no vendor configured: anything that gets past the limits and calls
// a vendor fails with VENDOR_NOT_CONFIGURED, which tells a refused
// operation apart from one that ran.
func newServer(t *testing.T, cfg querylimits.Config) *httptest.Server {
	t.Helper()
	es := generated.NewExecutableSchema(generated.Config{
		Resolvers: &resolvers.Resolver{Info: model.GatewayInfo{Version: "test"}},
		Directives: generated.DirectiveRoot{HasScope: func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) {
			return next(ctx)
		}},
	})
	costs := registryCosts(t, es)
	srv := handler.New(costs.Schema(es))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(errcode.Presenter)
	querylimits.Install(srv, cfg, costs)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// refused reports whether the operation was refused before execution:
// errors and no data at all.
func refused(r *gatewaytest.Response) bool { return len(r.Errors) > 0 && !r.HasData() }

func post(t *testing.T, ts *httptest.Server, body any) *gatewaytest.Response {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return gatewaytest.Post(t, ts.URL, "application/json", b, "Accept", "application/graphql-response+json")
}

func query(t *testing.T, ts *httptest.Server, q string, vars map[string]any) *gatewaytest.Response {
	t.Helper()
	return post(t, ts, map[string]any{"query": q, "variables": vars})
}

// nest builds customers { nodes { person { customers { person ... } } } }
// with the given depth, ending in a scalar.
func nest(depth int) string {
	var open []string
	levels := []string{"customers", "nodes"}
	for len(open) < depth-1 {
		open = append(open, levels[0])
		if len(open) < depth-1 {
			open = append(open, levels[1])
		}
		levels = []string{"person", "customers"}
	}
	return "{ " + strings.Join(open, " { ") + " { __typename" + strings.Repeat(" }", len(open)) + " }"
}

func aliased(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " g%d: gateway { version }", i)
	}
	b.WriteString(" }")
	return b.String()
}

func TestLimits(t *testing.T) {
	defaults := querylimits.Config{MaxDepth: querylimits.DefaultMaxDepth, MaxAliases: querylimits.DefaultMaxAliases, MaxComplexity: querylimits.DefaultMaxComplexity}
	cases := []struct {
		name  string
		cfg   querylimits.Config
		query string
		vars  map[string]any
		code  string // "" when the operation must run
	}{
		{"shallow query runs", defaults, `{ gateway { vendors { name } } }`, nil, ""},
		{"depth at the limit runs", defaults, nest(10), nil, ""},
		{"depth over the limit", defaults, nest(11), nil, querylimits.QueryTooDeep},
		{"depth through fragments", querylimits.Config{MaxDepth: 3},
			`query { ...Q } fragment Q on Query { customers { ...C } } fragment C on CustomerConnection { nodes { ... on Customer { person { id } } } }`, nil, querylimits.QueryTooDeep},
		{"depth through fragments at the limit", querylimits.Config{MaxDepth: 4},
			`query { ...Q } fragment Q on Query { customers { ...C } } fragment C on CustomerConnection { nodes { ... on Customer { person { id } } } }`, nil, ""},
		{"introspection is not counted", querylimits.Config{MaxDepth: 2},
			`{ __type(name: "Customer") { fields { type { ofType { ofType { ofType { name } } } } } } gateway { version } }`, nil, ""},
		{"the standard introspection query runs", defaults, introspectionQuery, nil, ""},
		{"aliases at the limit run", defaults, aliased(30), nil, ""},
		{"aliases over the limit", defaults, aliased(31), nil, querylimits.QueryTooComplex},
		{"aliases count once per spread", querylimits.Config{MaxAliases: 5},
			`{ a: gateway { ...F } b: gateway { ...F } } fragment F on GatewayInfo { v1: version v2: version }`, nil, querylimits.QueryTooComplex},
		{"aliases per spread at the limit", querylimits.Config{MaxAliases: 6},
			`{ a: gateway { ...F } b: gateway { ...F } } fragment F on GatewayInfo { v1: version v2: version }`, nil, ""},
		{"an alias equal to the field name is not counted", querylimits.Config{MaxAliases: 1},
			`{ gateway { version: version sandbox: sandbox vendors: vendors { name: name } } }`, nil, ""},
		{"page of cross-vendor searches over the limit", defaults,
			`{ customers(first: 100) { nodes { person { customers { id } } } } }`, nil, querylimits.QueryTooComplex},
		{"smaller page of cross-vendor searches runs", defaults,
			`{ customers(first: 50) { nodes { person { customers { id } } } } }`, nil, ""},
		{"people refs from variables over the limit", defaults,
			`query($refs: [PersonRef!]!) { people(refs: $refs) { subscriptions { audienceId } } }`, map[string]any{"refs": refs(1000)}, querylimits.QueryTooComplex},
		{"people refs from variables within the limit", defaults,
			`query($refs: [PersonRef!]!) { people(refs: $refs) { subscriptions { audienceId } } }`, map[string]any{"refs": refs(900)}, ""},
		{"GraphiQL's default query runs", defaults, gateway.DefaultQuery, nil, ""},
		{"zero turns every limit off", querylimits.Config{},
			nest(30), nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newServer(t, tc.cfg)
			r := query(t, ts, tc.query, tc.vars)
			if tc.code == "" {
				assert.Equal(t, http.StatusOK, r.Status, r.Raw)
				assert.NotEqual(t, "null", string(r.Data), r.Raw)
				require.NotEmpty(t, r.Data, r.Raw)
				for _, c := range r.Codes() {
					assert.Contains(t, []string{"VENDOR_NOT_CONFIGURED"}, c, r.Raw)
				}
				return
			}
			assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
			assert.True(t, refused(r), "expected a request error with no data: %s", r.Raw)
			assert.Equal(t, []string{tc.code}, r.Codes(), r.Raw)
		})
	}
}

// With plain application/json, gqlgen answers protocol errors with 422;
// the code is the same.
func TestLimitStatusWithApplicationJSON(t *testing.T) {
	ts := newServer(t, querylimits.Config{MaxDepth: 2})
	resp, err := ts.Client().Post(ts.URL, "application/json", strings.NewReader(`{"query":"{ gateway { vendors { name } } }"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	raw, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(raw), `"code":"QUERY_TOO_DEEP"`)
	assert.Contains(t, string(raw), `"data":null`)
}

func TestOneOperationPerRequest(t *testing.T) {
	ts := newServer(t, querylimits.Config{})
	const two = `query A { gateway { version } } query B { gateway { sandbox } }`

	t.Run("JSON array batch is refused", func(t *testing.T) {
		r := post(t, ts, []map[string]any{{"query": `{ gateway { version } }`}, {"query": `{ gateway { sandbox } }`}})
		assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
		assert.True(t, refused(r), r.Raw)
	})
	t.Run("several operations without operationName are refused", func(t *testing.T) {
		r := query(t, ts, two, nil)
		assert.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
		assert.True(t, refused(r), r.Raw)
		assert.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, r.Codes(), r.Raw)
	})
	t.Run("operationName picks one", func(t *testing.T) {
		r := post(t, ts, map[string]any{"query": two, "operationName": "B"})
		assert.Equal(t, http.StatusOK, r.Status, r.Raw)
		assert.JSONEq(t, `{"gateway":{"sandbox":false}}`, string(r.Data))
	})
}

func TestDefaultConfig(t *testing.T) {
	assert.Equal(t, querylimits.Config{MaxDepth: 10, MaxAliases: 30, MaxComplexity: 1000, MaxTokens: 15000, MaxFields: 2000, MaxRepeatedFields: 100, MaxVendorCalls: 50},
		querylimits.DefaultConfig())
}

// Depth and Aliases may see a document that validation would refuse; a
// fragment cycle must not hang them.
func TestFragmentCyclesTerminate(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `
		query { ...A }
		fragment A on Query { x: gateway { ...B } }
		fragment B on GatewayInfo { y: vendors { ...A } }`})
	require.NoError(t, err)
	op := doc.Operations[0]
	assert.Equal(t, 2, querylimits.Depth(doc, op))
	assert.Equal(t, 2, querylimits.Aliases(doc, op))
	assert.Zero(t, querylimits.Depth(doc, nil))
}

// Fragments that spread the next fragment twice double the aliases at
// every level: 2^40 aliases in a few hundred bytes, counted exactly and
// quickly.
func TestFragmentFanOutIsCountedWithoutExpanding(t *testing.T) {
	const levels = 40
	var b strings.Builder
	b.WriteString("query { ...F0 }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { a%d: gateway { version }", i, i)
		if i < levels-1 {
			fmt.Fprintf(&b, " ...F%d ...F%d", i+1, i+1)
		}
		b.WriteString(" }\n")
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: b.String()})
	require.NoError(t, err)
	assert.Equal(t, 1<<levels-1, querylimits.Aliases(doc, doc.Operations[0]))
	assert.Equal(t, 2, querylimits.Depth(doc, doc.Operations[0]))
}

func refs(n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"id": fmt.Sprintf("p%d", i)}
	}
	return out
}

// introspectionQuery is graphql-js's getIntrospectionQuery(), which
// GraphiQL sends: its TypeRef fragment nests ofType nine deep.
const introspectionQuery = `
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}`

// TestBudgetCodeAgrees: the refusal before execution and the call refused
// at run time (errcode's code for outbound.KindBudgetExceeded) are one code.
func TestBudgetCodeAgrees(t *testing.T) {
	assert.Equal(t, errcode.VendorBudgetExceeded, querylimits.VendorBudgetExceeded)
}

// registryCosts is the cost model of the registry's vendors, at their
// default configuration, over es.
func registryCosts(t testing.TB, es graphql.ExecutableSchema) *querylimits.Costs {
	t.Helper()
	byVendor := map[string]map[string]vendorkit.Cost{}
	for _, m := range registry.Modules(registry.Entries()) {
		byVendor[m.Name()] = m.Config().Costs()
	}
	costs, err := querylimits.NewCosts(es.Schema(), byVendor)
	require.NoError(t, err)
	return costs
}
