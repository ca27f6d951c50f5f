// Package querylimits refuses, before any resolver runs, GraphQL operations that
// would cost the gateway or its vendors too much: too large to validate
// cheaply, too deep, too many aliases, or too complex. Each limit is a
// gqlgen handler extension. The document limits (tokens, fields, fields
// sharing a response name) and the depth and alias limits run on the
// parsed document before gqlgen validates it (DocumentLimits); the
// complexity limit, which needs the schema's types, runs after validation
// and before execution, so a refused operation sends nothing to any
// vendor. Install also bounds the errors of a refusal (ErrorCap) and
// keeps only accepted documents in the parsed-document cache
// (DocumentCache).
//
// Refusals are GraphQL request errors (no "data") with extensions.code
// QUERY_TOO_LARGE, QUERY_TOO_DEEP or QUERY_TOO_COMPLEX. They are registered with gqlgen as
// protocol errors, so the HTTP status is the one gqlgen gives parse and
// validation errors: 400 when the client accepts
// application/graphql-response+json, 422 with plain application/json.
//
// What gqlgen already does, so nothing is added here: a JSON array
// (batched operations) in a POST body is refused with 400, and a document
// with several operations and no operationName is refused with
// GRAPHQL_VALIDATION_FAILED ("operation  not found"), so exactly one
// operation runs per request.
package querylimits

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The extensions.code values of a refused operation.
const (
	// QueryTooDeep: the selection tree nests deeper than MaxDepth.
	QueryTooDeep = "QUERY_TOO_DEEP"
	// QueryTooComplex: more aliases than MaxAliases, or an estimated cost
	// above MaxComplexity.
	QueryTooComplex = "QUERY_TOO_COMPLEX"
)

// Defaults used when the environment does not set a limit.
const (
	DefaultMaxDepth      = 10
	DefaultMaxAliases    = 30
	DefaultMaxComplexity = 1000
	// DefaultMaxVendorCalls lets one operation hold Ortto's default 10
	// req/s for at most 5 s.
	DefaultMaxVendorCalls = 50
)

func init() {
	// Without this gqlgen treats unknown codes as user errors and answers
	// 200, as if the operation had run.
	gqlerrcode.RegisterErrorType(QueryTooDeep, gqlerrcode.KindProtocol)
	gqlerrcode.RegisterErrorType(QueryTooComplex, gqlerrcode.KindProtocol)
}

// Config holds the limits. Zero turns a limit off. The env tags name the
// variables internal/app/config fills it from, over DefaultConfig; a
// value that is not a non-negative integer stops the start, so that a
// typo does not silently remove a limit.
type Config struct {
	MaxDepth      int `env:"SWITCHYARD_MAX_DEPTH" min:"0"`
	MaxAliases    int `env:"SWITCHYARD_MAX_ALIASES" min:"0"`
	MaxComplexity int `env:"SWITCHYARD_MAX_COMPLEXITY" min:"0"`

	// MaxTokens bounds the parser, MaxFields the fields with fragments
	// expanded and MaxRepeatedFields the fields sharing a response name
	// in one selection set; see DocumentLimits.
	MaxTokens         int `env:"SWITCHYARD_MAX_TOKENS" min:"0"`
	MaxFields         int `env:"SWITCHYARD_MAX_FIELDS" min:"0"`
	MaxRepeatedFields int `env:"SWITCHYARD_MAX_REPEATED_FIELDS" min:"0"`
	// MaxErrors bounds the errors of a refused request (ErrorCap); zero
	// takes DefaultMaxErrors.
	MaxErrors int
	// CacheBytes and CacheEntries bound the parsed-document cache; zero
	// takes DefaultCacheBytes and DefaultCacheEntries.
	CacheBytes, CacheEntries int
	// MaxVendorCalls bounds the vendor calls of one operation, all
	// vendors together (see VendorCallLimit).
	MaxVendorCalls int `env:"SWITCHYARD_MAX_VENDOR_CALLS" min:"0"`
}

// DefaultConfig is every limit at its default.
func DefaultConfig() Config {
	return Config{MaxDepth: DefaultMaxDepth, MaxAliases: DefaultMaxAliases, MaxComplexity: DefaultMaxComplexity,
		MaxTokens: DefaultMaxTokens, MaxFields: DefaultMaxFields, MaxRepeatedFields: DefaultMaxRepeatedFields, MaxVendorCalls: DefaultMaxVendorCalls}
}

// Install adds the limits to srv: the document, depth and alias limits
// before validation (DocumentLimits), the parser's token limit, the
// complexity and vendor-call limits after it (both in the model costs,
// whose Schema srv must serve), the error cap, and the parsed-document
// cache, which keeps only what every limit accepted. It returns the
// cache. Install it after the persisted-query extensions, which fill in
// the text of a query sent by hash, and after every other extension that
// may refuse an operation.
func Install(srv *handler.Server, cfg Config, costs *Costs) *DocumentCache {
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	if cfg.CacheEntries <= 0 {
		cfg.CacheEntries = DefaultCacheEntries
	}
	if cfg.MaxErrors <= 0 {
		cfg.MaxErrors = DefaultMaxErrors
	}
	cache := NewDocumentCache(cfg.CacheBytes, cfg.CacheEntries)
	srv.SetQueryCache(cache)
	// gqlgen's own parse stops at the same limit; DocumentLimits parses
	// first and refuses with QUERY_TOO_LARGE.
	srv.SetParserTokenLimit(cfg.MaxTokens)
	srv.Use(ErrorCap(cfg.MaxErrors))
	srv.Use(DocumentLimits(cfg, cache))
	if cfg.MaxComplexity > 0 {
		srv.Use(ComplexityLimit(cfg.MaxComplexity))
	}
	if cfg.MaxVendorCalls > 0 {
		srv.Use(VendorCallLimit(cfg.MaxVendorCalls, costs))
	}
	srv.Use(admit{cache: cache})
	return cache
}

// ComplexityLimit is gqlgen's extension.ComplexityLimit with scalar and
// enum fields costing nothing (see Costs) and its error code replaced
// by QUERY_TOO_COMPLEX. extension.GetComplexityStats still reports the
// computed cost.
func ComplexityLimit(max int) graphql.HandlerExtension {
	return &complexityLimit{inner: extension.FixedComplexityLimit(max, scalarsAreFree)}
}

type complexityLimit struct{ inner *extension.ComplexityLimit }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &complexityLimit{}

func (c *complexityLimit) ExtensionName() string { return c.inner.ExtensionName() }
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	return c.inner.Validate(es)
}
func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	err := c.inner.MutateOperationContext(ctx, opCtx)
	if err != nil {
		gqlerrcode.Set(err, QueryTooComplex)
	}
	return err
}

func refusal(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	gqlerrcode.Set(err, code)
	return err
}

// Depth is the depth of op's selection tree. A root field is at depth 1;
// fragment spreads and inline fragments add no depth. The subtrees of
// __schema and __type are not counted: a standard introspection query
// (GraphiQL's) nests ofType about ten deep, and gqlparser's
// MaxIntrospectionDepth validation rule already bounds introspection. It follows
// fragment spreads by name in doc, so it also works on a document that has
// not been validated, and it stops at a fragment cycle instead of looping.
func Depth(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	if op == nil {
		return 0
	}
	w := walker{doc: doc, memo: map[string]int{}}
	return w.depth(op.SelectionSet)
}

// Aliases is the number of aliased fields op would resolve (an alias equal
// to the field name, "id: id", is not one), counted as they would run: a
// fragment spread three times counts its aliases three times, following
// fragment spreads like Depth.
func Aliases(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	if op == nil {
		return 0
	}
	w := walker{doc: doc, memo: map[string]int{}}
	return w.aliases(op.SelectionSet)
}

// walker measures a selection set. memo holds each fragment's result once
// computed, so that fragments spreading other fragments many times cost
// linear time, not exponential; inProgress marks a fragment being
// measured, which a cycle would reach again.
const inProgress = -1

type walker struct {
	doc  *ast.QueryDocument
	memo map[string]int
}

func (w walker) fragment(name string, measure func(ast.SelectionSet) int) int {
	if v, ok := w.memo[name]; ok {
		if v == inProgress {
			return 0 // a cycle: validation refuses it; do not loop
		}
		return v
	}
	var def *ast.FragmentDefinition
	if w.doc != nil {
		def = w.doc.Fragments.ForName(name)
	}
	if def == nil {
		return 0
	}
	w.memo[name] = inProgress
	v := measure(def.SelectionSet)
	w.memo[name] = v
	return v
}

func (w walker) depth(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				d = 1
			} else {
				d = 1 + w.depth(s.SelectionSet)
			}
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet)
		case *ast.FragmentSpread:
			d = w.fragment(s.Name, w.depth)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func (w walker) aliases(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				n = saturatingAdd(n, 1)
			}
			n = saturatingAdd(n, w.aliases(s.SelectionSet))
		case *ast.InlineFragment:
			n = saturatingAdd(n, w.aliases(s.SelectionSet))
		case *ast.FragmentSpread:
			n = saturatingAdd(n, w.fragment(s.Name, w.aliases))
		}
	}
	return n
}

// saturatingAdd keeps a document built to overflow the count from
// wrapping round to a small number.
func saturatingAdd(a, b int) int {
	if c := a + b; c >= a {
		return c
	}
	return int(^uint(0) >> 1)
}
