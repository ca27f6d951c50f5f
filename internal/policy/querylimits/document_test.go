package querylimits_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/switchyard/switchyard/graph/generated"
	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/hostile"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
	"github.com/switchyard/switchyard/resolvers"
)

func parse(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	require.NoError(t, err)
	return doc
}

func TestFields(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"flat", `{ a b c }`, 3},
		{"nested", `{ a { b { c } } }`, 3},
		{"fragment counted where spread", `{ a { ...F } b { ...F } } fragment F on T { x y }`, 6},
		{"inline fragments", `{ a { ... on T { x } ... { y } } }`, 3},
		{"unused fragment counted once", `{ a } fragment F on T { x y }`, 3},
		{"every operation", `query A { a { ...F } } query B { b { ...F } } fragment F on T { x }`, 4},
		{"cycle counts nothing", `{ a { ...F } } fragment F on T { x ...G } fragment G on T { ...F }`, 2},
		{"unknown fragment counts nothing", `{ a { ...Nope } }`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, querylimits.Fields(parse(t, tc.query)))
		})
	}
	t.Run("fragment bomb saturates instead of exploding", func(t *testing.T) {
		doc := parse(t, hostile.FragmentBomb(70))
		allocs := testing.AllocsPerRun(3, func() { querylimits.Fields(doc) })
		assert.Equal(t, int(^uint(0)>>1), querylimits.Fields(doc))
		assert.Less(t, allocs, 1000.0, "memoised: a few allocations per fragment, not per expanded field")
	})
}

func TestRepeatedFields(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"distinct", `{ a b c }`, 1},
		{"same name", `{ a a b a }`, 3},
		{"alias is the response name", `{ x: a x: b a }`, 2},
		{"inline fragments flatten", `{ a ... on Query { a ... { a } } }`, 3},
		{"spreads flatten, each spread counts", `{ a ...F ...F } fragment F on Query { a }`, 3},
		{"nested set", `{ t { b b b b } }`, 4},
		{"inside a fragment definition", `{ ...F } fragment F on Query { t { c c } }`, 2},
		// G, measured while F is in progress, holds one a; F two; G's
		// definition then spreads the whole of F: three. No loop.
		{"cycle", `{ ...F } fragment F on Query { a ...G } fragment G on Query { a ...F }`, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, querylimits.RepeatedFields(parse(t, tc.query)))
		})
	}
}

// installed is a gqlgen server with Install and nothing else that refuses,
// plus the cache Install set.
func installed(t *testing.T, cfg querylimits.Config) (*httptest.Server, *querylimits.DocumentCache) {
	t.Helper()
	es := generated.NewExecutableSchema(generated.Config{
		Resolvers: &resolvers.Resolver{Info: model.GatewayInfo{Version: "test"}},
		Directives: generated.DirectiveRoot{HasScope: func(ctx context.Context, _ any, next graphql.Resolver, _ model.Scope) (any, error) {
			return next(ctx)
		}},
	})
	costs := registryCosts(t, es)
	srv := handler.New(costs.Schema(es))
	srv.AddTransport(transport.POST{})
	srv.SetErrorPresenter(errcode.Presenter)
	cache := querylimits.Install(srv, cfg, costs)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, cache
}

func repeat(n int, item func(int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = item(i)
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

func TestDocumentLimitsRefuseBeforeValidation(t *testing.T) {
	cfg := querylimits.Config{MaxTokens: 200, MaxFields: 40, MaxRepeatedFields: 5, MaxDepth: 4, MaxAliases: 3, MaxComplexity: 1000}
	ts, _ := installed(t, cfg)
	sameName := func(n int) string {
		return repeat(n, func(i int) string { return fmt.Sprintf(`account(id: "%d") { id }`, i) })
	}
	cases := []struct {
		name  string
		query string
		code  string // "" when it must run
	}{
		{"small runs", `{ gateway { version } }`, ""},
		{"too many tokens", repeat(201, func(int) string { return "gateway { version }" }), querylimits.QueryTooLarge},
		{"too many fields", repeat(21, func(int) string { return "gateway { version }" }), querylimits.QueryTooLarge},
		{"fragment bomb", hostile.FragmentBomb(12), querylimits.QueryTooLarge},
		// Each pair conflicts: without the limit, n(n-1)/2 errors.
		{"same-named fields over the limit", sameName(6), querylimits.QueryTooLarge},
		{"same-named fields at the limit are validated", sameName(5), errcode.GraphQLValidationFailed},
		{"same names through fragments", `{ gateway { ...F ...F ...F } } fragment F on GatewayInfo { version version }`, querylimits.QueryTooLarge},
		{"depth before validation, on an invalid document", `{ a { b { c { d { e } } } } }`, querylimits.QueryTooDeep},
		{"aliases before validation, on an invalid document", `{ a: x b: x c: x d: x }`, querylimits.QueryTooComplex},
		{"syntax error left to the parser", `{ gateway {`, errcode.GraphQLParseFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := query(t, ts, tc.query, nil)
			if tc.code == "" {
				assert.Empty(t, r.Errors)
				return
			}
			require.NotEmpty(t, r.Errors)
			assert.Equal(t, tc.code, r.Codes()[0], "%+v", r.Errors)
			assert.False(t, r.HasData())
		})
	}
}

func TestErrorCap(t *testing.T) {
	ts, _ := installed(t, querylimits.Config{MaxErrors: 4})
	r := query(t, ts, repeat(10, func(i int) string { return fmt.Sprintf("f%d", i) }), nil)
	require.Len(t, r.Errors, 5, "four errors and one saying how many were left out")
	assert.Contains(t, r.Errors[4].Message, "6 more errors were left out")
	for _, code := range r.Codes() {
		assert.Equal(t, errcode.GraphQLValidationFailed, code)
	}

	r = query(t, ts, repeat(4, func(i int) string { return fmt.Sprintf("f%d", i) }), nil)
	assert.Len(t, r.Errors, 4, "at the cap nothing is cut")
}

func TestDocumentCacheKeepsOnlyAcceptedDocuments(t *testing.T) {
	ts, cache := installed(t, querylimits.Config{MaxComplexity: 50})
	// Valid documents the complexity limit refuses (20 × 10 > 50), each
	// distinct: none may stay.
	for i := range 10 {
		r := query(t, ts, fmt.Sprintf(`{ accounts(first: %d) { nodes { company { id } } } }`, 20+i), nil)
		require.Equal(t, []string{querylimits.QueryTooComplex}, r.Codes())
	}
	assert.Zero(t, cache.Len(), "refused documents are not cached")

	q := `{ gateway { version } }`
	query(t, ts, q, nil)
	assert.Equal(t, 1, cache.Len())
	assert.Equal(t, querylimits.DocumentBytes(q, parse(t, q)), cache.Bytes())
}

func TestDocumentCacheBoundedByBytes(t *testing.T) {
	q := func(i int) string { return fmt.Sprintf("{ gateway { version } } # %04d", i) }
	doc := parse(t, q(0))
	budget := 10 * querylimits.DocumentBytes(q(0), doc)
	c := querylimits.NewDocumentCache(budget, 1000)
	for i := range 100 {
		c.Admit(q(i), doc)
		require.LessOrEqual(t, c.Bytes(), budget)
	}
	assert.Equal(t, 10, c.Len())
	_, ok := c.Get(context.Background(), q(99))
	assert.True(t, ok, "the most recent is kept")
	_, ok = c.Get(context.Background(), q(0))
	assert.False(t, ok, "the oldest is evicted")

	c.Admit(strings.Repeat("x", budget), doc)
	assert.Equal(t, 10, c.Len(), "a document over the whole budget is not kept")

	c = querylimits.NewDocumentCache(1<<30, 3)
	for i := range 5 {
		c.Admit(q(i), doc)
	}
	assert.Equal(t, 3, c.Len(), "bounded by count too")
}

// TestDocumentCostEstimate keeps the cache's estimate honest: a parsed
// document keeps no more memory live than Cost says, for dense documents
// of every shape.
func TestDocumentCostEstimate(t *testing.T) {
	for _, q := range []string{
		repeat(1000, func(int) string { return "a" }),
		repeat(300, func(i int) string { return fmt.Sprintf(`a%d: account(id: "%d") { id name }`, i, i) }),
		repeat(500, func(int) string { return "a(x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])" }),
		repeat(50, func(int) string { return `a(s: "` + strings.Repeat("x", 1000) + `")` }),
		`query($a: Int = 1, $b: [String] = ["x"]) @d(x: 1) { ...F } fragment F on Query @d { a @include(if: true) ... @skip(if: false) { b } }`,
		hostile.FragmentBomb(50),
	} {
		doc := parse(t, q)
		live := liveBytes(func() any { d, _ := parser.ParseQuery(&ast.Source{Input: q}); return d })
		assert.LessOrEqual(t, live, int64(querylimits.DocumentBytes(q, doc)), "%d bytes of query", len(q))
		assert.Greater(t, 4*live, int64(querylimits.DocumentBytes(q, doc)), "%d bytes of query: the estimate is not wildly high", len(q))
	}
}
