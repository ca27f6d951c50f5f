package querylimits

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// bytesPerNode estimates the memory of one node of gqlparser's AST
// (a field, argument, value, directive...): about 190 bytes measured, with
// a margin (see TestDocumentCostEstimate).
const bytesPerNode = 256

// DocumentCache is gqlgen's parsed-document cache, bounded by the
// estimated memory of what it holds as well as by count, least recently
// used first out. It holds only documents that every limit accepted:
// gqlgen adds a document right after validating it, before the limits
// that need a validated document (complexity) have run, so its Add does
// nothing, and Admit, installed as the last limit, adds it. A document
// refused by any limit is never kept.
type DocumentCache struct {
	mu         sync.Mutex
	maxBytes   int
	maxEntries int
	bytes      int
	order      *list.List // front: most recently used
	entries    map[string]*list.Element
}

type cacheEntry struct {
	query string
	doc   *ast.QueryDocument
	cost  int
}

var _ graphql.Cache[*ast.QueryDocument] = (*DocumentCache)(nil)

// NewDocumentCache holds up to maxEntries documents of at most maxBytes of
// estimated memory in all.
func NewDocumentCache(maxBytes, maxEntries int) *DocumentCache {
	return &DocumentCache{maxBytes: maxBytes, maxEntries: maxEntries, order: list.New(), entries: map[string]*list.Element{}}
}

// DocumentBytes is the estimated memory of query's parsed document doc: the text,
// which the AST keeps, and each of its nodes.
func DocumentBytes(query string, doc *ast.QueryDocument) int {
	n := 0
	var values func(v *ast.Value)
	values = func(v *ast.Value) {
		if v == nil {
			return
		}
		n++
		for _, c := range v.Children {
			values(c.Value)
		}
	}
	directives := func(ds ast.DirectiveList) {
		for _, d := range ds {
			n++
			for _, a := range d.Arguments {
				n++
				values(a.Value)
			}
		}
	}
	var set func(ast.SelectionSet)
	set = func(ss ast.SelectionSet) {
		for _, sel := range ss {
			n++
			switch s := sel.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					n++
					values(a.Value)
				}
				directives(s.Directives)
				set(s.SelectionSet)
			case *ast.InlineFragment:
				directives(s.Directives)
				set(s.SelectionSet)
			case *ast.FragmentSpread:
				directives(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		n++
		for _, v := range op.VariableDefinitions {
			n += 2
			values(v.DefaultValue)
			directives(v.Directives)
		}
		directives(op.Directives)
		set(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n++
		directives(f.Directives)
		set(f.SelectionSet)
	}
	return len(query) + n*bytesPerNode
}

// Get implements graphql.Cache.
func (c *DocumentCache) Get(_ context.Context, query string) (*ast.QueryDocument, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[query]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cacheEntry).doc, true
	}
	return nil, false
}

// Add implements graphql.Cache and does nothing: a document is added by
// Admit once every limit has accepted it.
func (c *DocumentCache) Add(context.Context, string, *ast.QueryDocument) {}

// Admit adds a document every limit accepted, evicting the least recently
// used until the cache is within its bounds. A document larger than the
// whole budget is not kept.
func (c *DocumentCache) Admit(query string, doc *ast.QueryDocument) {
	if doc == nil {
		return
	}
	c.mu.Lock()
	if e, ok := c.entries[query]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	cost := DocumentBytes(query, doc)
	if cost > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[query]; ok {
		return // added meanwhile
	}
	c.entries[query] = c.order.PushFront(&cacheEntry{query: query, doc: doc, cost: cost})
	c.bytes += cost
	for c.bytes > c.maxBytes || c.order.Len() > c.maxEntries {
		last := c.order.Back()
		ent := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.entries, ent.query)
		c.bytes -= ent.cost
	}
}

// Len and Bytes report what the cache holds: documents, and their
// estimated memory.
func (c *DocumentCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Bytes is the estimated memory of the documents held.
func (c *DocumentCache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// admit is the last limit: an operation that reaches it passed every
// other, and its document goes into the cache.
type admit struct{ cache *DocumentCache }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = admit{}

func (admit) ExtensionName() string                   { return "SwitchyardDocumentCacheAdmit" }
func (admit) Validate(graphql.ExecutableSchema) error { return nil }
func (a admit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	a.cache.Admit(opCtx.RawQuery, opCtx.Doc)
	return nil
}
