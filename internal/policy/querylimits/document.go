package querylimits

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// QueryTooLarge is the extensions.code of a document refused before
// validation for its size: more tokens than MaxTokens, more fields than
// MaxFields, or more fields sharing one response name in a selection set
// than MaxRepeatedFields.
const QueryTooLarge = "QUERY_TOO_LARGE"

// Defaults of the document limits, checked before gqlgen validates a
// document. They bound what validation may cost: gqlparser's rules are
// linear in the document except OverlappingFieldsCanBeMerged, which
// compares every pair of fields sharing a response name (and reports each
// conflicting pair), and the rules that follow fragment spreads.
const (
	// DefaultMaxTokens is Apollo Router's default parser token limit.
	DefaultMaxTokens = 15000
	// DefaultMaxFields bounds the fields of a document with every
	// fragment counted where it is spread.
	DefaultMaxFields = 2000
	// DefaultMaxRepeatedFields bounds the fields sharing one response name
	// in a selection set (fragments flattened into it).
	DefaultMaxRepeatedFields = 100
	// DefaultMaxErrors is the most errors a refused request is answered
	// with; the rest are summed up in one more error.
	DefaultMaxErrors = 50
	// DefaultCacheBytes bounds the parsed-document cache by the estimated
	// memory of the documents it holds (see DocumentCache).
	DefaultCacheBytes = 32 << 20
	// DefaultCacheEntries bounds the parsed-document cache by count.
	DefaultCacheEntries = 1000
)

func init() {
	gqlerrcode.RegisterErrorType(QueryTooLarge, gqlerrcode.KindProtocol)
}

// Fields counts the fields of doc the way validation walks them: every
// operation with each fragment counted wherever it is spread (a fragment
// spread twice counts twice), plus the fragments no operation spreads,
// which are validated too. Each fragment is measured once and remembered,
// so a fragment bomb (fragments spreading fragments many times) is
// counted in time linear in the document, and its count saturates instead
// of overflowing. A fragment cycle counts as nothing (validation refuses
// it).
func Fields(doc *ast.QueryDocument) int {
	if doc == nil {
		return 0
	}
	w := walker{doc: doc, memo: map[string]int{}}
	n := 0
	for _, op := range doc.Operations {
		n = saturatingAdd(n, w.fields(op.SelectionSet))
	}
	for _, f := range doc.Fragments {
		if _, reached := w.memo[f.Name]; !reached {
			n = saturatingAdd(n, w.fragment(f.Name, w.fields))
		}
	}
	return n
}

func (w walker) fields(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n = saturatingAdd(n, saturatingAdd(1, w.fields(s.SelectionSet)))
		case *ast.InlineFragment:
			n = saturatingAdd(n, w.fields(s.SelectionSet))
		case *ast.FragmentSpread:
			n = saturatingAdd(n, w.fragment(s.Name, w.fields))
		}
	}
	return n
}

// RepeatedFields is the largest number of fields sharing one response name
// in any selection set of doc, with inline fragments and fragment spreads
// flattened into the set that holds them: the n of the n² comparisons
// OverlappingFieldsCanBeMerged makes for that name. Call it on a document
// whose Fields are bounded: it merges each fragment's names into every set
// that spreads it.
func RepeatedFields(doc *ast.QueryDocument) int {
	if doc == nil {
		return 0
	}
	r := repeats{doc: doc, memo: map[string]map[string]int{}}
	for _, op := range doc.Operations {
		r.walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		r.walk(f.SelectionSet)
	}
	return r.most
}

type repeats struct {
	doc  *ast.QueryDocument
	memo map[string]map[string]int // a fragment's response names, flattened; nil while in progress
	most int
}

// walk measures set and every selection set below it.
func (r *repeats) walk(set ast.SelectionSet) {
	for _, n := range r.names(set) {
		r.most = max(r.most, n)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			r.walk(s.SelectionSet)
		case *ast.InlineFragment:
			r.walkNested(s.SelectionSet)
		}
	}
}

// walkNested walks the field selection sets inside an inline fragment,
// whose own fields were counted with the set holding it.
func (r *repeats) walkNested(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			r.walk(s.SelectionSet)
		case *ast.InlineFragment:
			r.walkNested(s.SelectionSet)
		}
	}
}

// names counts the fields of set per response name, inline fragments and
// fragment spreads flattened.
func (r *repeats) names(set ast.SelectionSet) map[string]int {
	out := map[string]int{}
	r.collect(set, out)
	return out
}

func (r *repeats) collect(set ast.SelectionSet, into map[string]int) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			into[name] = saturatingAdd(into[name], 1)
		case *ast.InlineFragment:
			r.collect(s.SelectionSet, into)
		case *ast.FragmentSpread:
			for name, n := range r.fragment(s.Name) {
				into[name] = saturatingAdd(into[name], n)
			}
		}
	}
}

func (r *repeats) fragment(name string) map[string]int {
	if m, ok := r.memo[name]; ok {
		return m // nil for a cycle
	}
	def := r.doc.Fragments.ForName(name)
	if def == nil {
		return nil
	}
	r.memo[name] = nil
	m := r.names(def.SelectionSet)
	r.memo[name] = m
	return m
}

// DocumentLimits refuses, before gqlgen validates it, a document that
// would cost too much to validate, and an operation too deep or with too
// many aliases (these need only the parsed document, so they run as early
// as they can). It parses the document itself, with the token limit, and
// gqlgen parses it again only when it passes; a document in cache passed
// already, and only the operation's checks run.
//
// It is an OperationParameterMutator, so it sees the text of a query sent
// by hash once the persisted-query extension, installed before it, has
// filled it in.
func DocumentLimits(cfg Config, cache *DocumentCache) graphql.HandlerExtension {
	return documentLimits{cfg: cfg, cache: cache}
}

type documentLimits struct {
	cfg   Config
	cache *DocumentCache
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimits{}

func (documentLimits) ExtensionName() string                   { return "SwitchyardDocumentLimits" }
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l documentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil // gqlgen reports it
	}
	var doc *ast.QueryDocument
	if l.cache != nil {
		doc, _ = l.cache.Get(ctx, params.Query)
	}
	if doc == nil {
		var err error
		if doc, err = parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.cfg.MaxTokens); err != nil {
			if gqlErr, ok := err.(*gqlerror.Error); ok && strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
				return refusal(QueryTooLarge, "document has more than %d tokens, the limit", l.cfg.MaxTokens)
			}
			return nil // a syntax error: gqlgen reports it
		}
		if err := l.checkDocument(doc); err != nil {
			return err
		}
	}
	op := operation(doc, params.OperationName)
	err := l.checkOperation(doc, op)
	if err != nil && graphql.HasOperationContext(ctx) {
		// gqlgen sets the operation only after validation; set it for a
		// refusal here, so that logs and metrics still name what was
		// refused.
		graphql.GetOperationContext(ctx).Operation = op
	}
	return err
}

func (l documentLimits) checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
	if l.cfg.MaxFields > 0 {
		if n := Fields(doc); n > l.cfg.MaxFields {
			return refusal(QueryTooLarge, "document has %d fields counting fragments where they are spread, which exceeds the limit of %d", n, l.cfg.MaxFields)
		}
	} else if l.cfg.MaxRepeatedFields > 0 && Fields(doc) > 1<<20 {
		// RepeatedFields merges fragments into every set spreading them:
		// never run it on an unbounded expansion.
		return refusal(QueryTooLarge, "document has more than %d fields counting fragments where they are spread", 1<<20)
	}
	if l.cfg.MaxRepeatedFields > 0 {
		if n := RepeatedFields(doc); n > l.cfg.MaxRepeatedFields {
			return refusal(QueryTooLarge, "a selection set has %d fields with the same response name, which exceeds the limit of %d", n, l.cfg.MaxRepeatedFields)
		}
	}
	return nil
}

func (l documentLimits) checkOperation(doc *ast.QueryDocument, op *ast.OperationDefinition) *gqlerror.Error {
	if op == nil {
		return nil // gqlgen reports that there is none to run
	}
	if l.cfg.MaxDepth > 0 {
		if d := Depth(doc, op); d > l.cfg.MaxDepth {
			return refusal(QueryTooDeep, "operation has depth %d, which exceeds the limit of %d", d, l.cfg.MaxDepth)
		}
	}
	if l.cfg.MaxAliases > 0 {
		if n := Aliases(doc, op); n > l.cfg.MaxAliases {
			return refusal(QueryTooComplex, "operation has %d aliases, which exceeds the limit of %d", n, l.cfg.MaxAliases)
		}
	}
	return nil
}

// operation is the operation gqlgen will run: the one named, or the only
// one.
func operation(doc *ast.QueryDocument, name string) *ast.OperationDefinition {
	if name == "" && len(doc.Operations) == 1 {
		return doc.Operations[0]
	}
	if name == "" {
		return nil
	}
	return doc.Operations.ForName(name)
}

// ErrorCap answers a request error (a response without data) with at most
// max errors; the rest are replaced by one error saying how many were left
// out, with the code of the first. Validation can report many errors for a
// small document; a client needs the first few.
func ErrorCap(max int) graphql.HandlerExtension { return errorCap{max: max} }

type errorCap struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = errorCap{}

func (errorCap) ExtensionName() string                   { return "SwitchyardErrorCap" }
func (errorCap) Validate(graphql.ExecutableSchema) error { return nil }

func (c errorCap) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Data) != 0 || len(resp.Errors) <= c.max {
		return resp
	}
	left := len(resp.Errors) - c.max
	code, _ := resp.Errors[0].Extensions["code"].(string)
	if code == "" {
		code = gqlerrcode.ValidationFailed
	}
	more := gqlerror.Errorf("%d more errors were left out: the first %d are listed", left, c.max)
	more.Extensions = map[string]any{"code": code}
	resp.Errors = append(resp.Errors[:c.max:c.max], more)
	return resp
}
