// Package cachecontrol tells GraphQL clients how fresh their data is: the
// fields a response holds from the vendor read cache because the vendor
// failed (extensions.stale), as the outbound chain reports them, and, for
// GET and persisted-query requests, how long HTTP caches may keep the
// response (Cache-Control, ETag: see HTTPWithMaxAge).
package cachecontrol

import (
	"context"
	"math"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Stale is one field of a response served from the cache while its vendor
// failed: extensions.stale lists them.
type Stale struct {
	// Path is the field's path in the response, as in errors.
	Path ast.Path `json:"path"`
	// Vendor is the vendor that failed.
	Vendor string `json:"vendor"`
	// AgeSeconds is how old the data is, in whole seconds.
	AgeSeconds int64 `json:"ageSeconds"`
}

// collector gathers one response's stale fields.
type collector struct {
	mu    sync.Mutex
	stale []Stale
	seen  map[string]bool
}

func (c *collector) add(path ast.Path, s outbound.StaleServe) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := path.String() + "\x00" + s.Vendor
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	c.stale = append(c.stale, Stale{Path: path, Vendor: s.Vendor, AgeSeconds: int64(math.Round(s.Age.Seconds()))})
}

func (c *collector) take() []Stale {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.stale
	c.stale = nil
	return out
}

type collectorKey struct{}

// Fields is field middleware (handler.Server.AroundFields): a vendor
// reply served stale to a resolver is recorded under the resolver's
// path. A call made by a per-request loader is recorded under the field
// whose load started its batch. Under HTTPWithMaxAge it also records
// each field's @cacheControl.
func Fields(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if h, ok := ctx.Value(hintsKey{}).(*hints); ok && fc != nil {
		h.field(fc)
	}
	c, _ := ctx.Value(collectorKey{}).(*collector)
	if c != nil && fc != nil && fc.IsResolver {
		path := fc.Path()
		h := outbound.HooksFrom(ctx)
		h.Stale = func(s outbound.StaleServe) { c.add(path, s) }
		ctx = outbound.WithHooks(ctx, h)
	}
	return next(ctx)
}

// Responses is response middleware (handler.Server.AroundResponses): it
// adds extensions.stale to a response that holds stale fields. A response
// without any is left exactly as it was. Under HTTPWithMaxAge it also
// records whether the response may be cached at all.
func Responses(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	c, ok := ctx.Value(collectorKey{}).(*collector)
	if !ok {
		c = &collector{seen: map[string]bool{}}
		ctx = context.WithValue(ctx, collectorKey{}, c)
	}
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	stale := c.take()
	if len(stale) > 0 {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["stale"] = stale
	}
	if h, ok := ctx.Value(hintsKey{}).(*hints); ok {
		h.response(ctx, resp, len(stale) > 0)
	}
	return resp
}
