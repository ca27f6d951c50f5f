// Package costplan tells a client what an operation costs and what it
// would do, on request:
//
//   - X-Switchyard-Cost: true — the response's extensions.cost carries the
//     operation's estimated cost (internal/querylimits' complexity model),
//     the limit it was checked against, and the vendor calls the request
//     actually made, by vendor.
//   - X-Switchyard-Plan: true — a dry run: nothing is executed and no
//     vendor is called. The response has "data": null and extensions.plan:
//     the vendor operations the operation would call, how each is batched,
//     and the cost. A mutation is planned, never run. Planning needs the
//     read scope only.
//
// Middleware reads the headers (place it before the idempotency layer: a
// plan is never stored or replayed as an operation's outcome); Extension
// is the gqlgen side (install it after the limits, telemetry and logging
// extensions, so that a planned operation is still limited, counted and
// logged).
package costplan

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/internal/auth"
	"github.com/switchyard/switchyard/internal/errcode"
	"github.com/switchyard/switchyard/internal/outbound"
	"github.com/switchyard/switchyard/internal/querylimits"
	"github.com/switchyard/switchyard/internal/vendorkit"
)

// The request headers, and the extensions keys they fill.
const (
	CostHeader = "X-Switchyard-Cost"
	PlanHeader = "X-Switchyard-Plan"
	CostKey    = "cost"
	PlanKey    = "plan"
)

// idempotencyKeyHeader is internal/idempotency's KeyHeader (not imported:
// idempotency has no business being a dependency of this package).
const idempotencyKeyHeader = "Idempotency-Key"

type modeKey struct{}

type mode struct {
	cost *outbound.Calls // nil: no cost extension
	plan bool
}

// Middleware reads the cost and plan headers. For cost it counts the
// request's vendor calls (outbound.WithCalls); for a plan it drops
// any Idempotency-Key, since a plan is not the operation's outcome and
// must not be stored as one, nor answered from a stored one.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m mode
		if on(r.Header.Get(CostHeader)) {
			m.cost = &outbound.Calls{}
		}
		m.plan = on(r.Header.Get(PlanHeader))
		if m.cost == nil && !m.plan {
			next.ServeHTTP(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), modeKey{}, m)
		if m.cost != nil {
			ctx = outbound.WithCalls(ctx, m.cost)
		}
		r = r.WithContext(ctx)
		if m.plan && r.Header.Get(idempotencyKeyHeader) != "" {
			r.Header = r.Header.Clone()
			r.Header.Del(idempotencyKeyHeader)
		}
		next.ServeHTTP(w, r)
	})
}

func on(v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

// Extension returns the gqlgen extension, planning with costs, the model
// the server's schema was wrapped in (querylimits.Costs.Schema).
func Extension(costs *querylimits.Costs) graphql.HandlerExtension { return &ext{costs: costs} }

type ext struct {
	schema graphql.ExecutableSchema
	costs  *querylimits.Costs
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = (*ext)(nil)

func (*ext) ExtensionName() string { return "SwitchyardCostPlan" }

func (e *ext) Validate(es graphql.ExecutableSchema) error {
	e.schema = es
	return nil
}

// Cost is extensions.cost.
type Cost struct {
	// Estimated is the operation's cost in querylimits' model.
	Estimated int `json:"estimated"`
	// Limit is SWITCHYARD_MAX_COMPLEXITY; null when the limit is off.
	Limit *int `json:"limit"`
	// VendorCalls are the vendor calls the request made, by vendor.
	VendorCalls map[string]int `json:"vendorCalls"`
}

// Plan is extensions.plan.
type Plan struct {
	Operation string `json:"operation"` // query, mutation
	Estimated int    `json:"estimated"`
	Limit     *int   `json:"limit"`
	// Steps are the vendor operations, in document order.
	Steps []Step `json:"steps"`
	// VendorCalls is the most calls each vendor would get (before the
	// sharing of identical reads in flight, which can only lower it).
	VendorCalls map[string]int `json:"vendorCalls"`
}

// Step is one field that calls a vendor.
type Step struct {
	Path     string `json:"path"`     // response path, "[]" for each list item
	Field    string `json:"field"`    // Type.field
	Vendor   string `json:"vendor"`   // the vendor called
	Calls    int    `json:"calls"`    // the most calls it makes
	Batching string `json:"batching"` // how those calls are made
	Cost     int    `json:"cost"`     // its cost per call in the model
}

func (e *ext) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	m, _ := ctx.Value(modeKey{}).(mode)
	if !m.plan {
		return next(ctx)
	}
	// Nothing below runs: no resolver, so no vendor. Planning reveals
	// the schema's wiring and costs, which any reader may know.
	var resp *graphql.Response
	if err := auth.Require(ctx, auth.ScopeRead); err != nil {
		resp = &graphql.Response{Errors: gqlerror.List{errcode.Presenter(ctx, err)}}
	} else {
		plan := e.plan(ctx)
		resp = &graphql.Response{Data: []byte("null"), Extensions: map[string]any{PlanKey: plan}}
	}
	done := false
	return func(context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		return resp
	}
}

func (e *ext) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	m, _ := ctx.Value(modeKey{}).(mode)
	if m.cost == nil || resp == nil || (resp.HasNext != nil && *resp.HasNext) || !graphql.HasOperationContext(ctx) {
		return resp
	}
	est, limit := e.cost(ctx)
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions[CostKey] = Cost{Estimated: est, Limit: limit, VendorCalls: m.cost.Made()}
	return resp
}

// cost is the operation's estimated cost and the limit: the complexity
// limit's own figures, or the same model computed here when it is off.
func (e *ext) cost(ctx context.Context) (int, *int) {
	if s := extension.GetComplexityStats(ctx); s != nil {
		limit := s.ComplexityLimit
		return s.Complexity, &limit
	}
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx.Operation == nil || e.schema == nil {
		return 0, nil
	}
	return querylimits.Cost(ctx, e.schema, opCtx.Operation, opCtx.Variables), nil
}

func (e *ext) plan(ctx context.Context) Plan {
	opCtx := graphql.GetOperationContext(ctx)
	est, limit := e.cost(ctx)
	p := Plan{Estimated: est, Limit: limit, Steps: []Step{}, VendorCalls: map[string]int{}}
	op := opCtx.Operation
	if op == nil {
		return p
	}
	p.Operation = string(op.Operation)
	schema := e.schema.Schema()
	var root *ast.Definition
	switch op.Operation {
	case ast.Mutation:
		root = schema.Mutation
	case ast.Subscription:
		root = schema.Subscription
	default:
		root = schema.Query
	}
	if root == nil {
		return p
	}
	w := walker{opCtx: opCtx, schema: schema, costs: e.costs, plan: &p}
	w.walk(op.SelectionSet, root, "", 1)
	return p
}

type walker struct {
	opCtx  *graphql.OperationContext
	schema *ast.Schema
	costs  *querylimits.Costs
	plan   *Plan
}

// walk adds the steps of set, selected on def; parents is how many
// objects of def the response can hold (an upper bound from page sizes).
func (w walker) walk(set ast.SelectionSet, def *ast.Definition, at string, parents int) {
	satisfies := []string{def.Name}
	for _, t := range w.schema.GetPossibleTypes(def) {
		if t.Name != def.Name {
			satisfies = append(satisfies, t.Name)
		}
	}
	for _, f := range graphql.CollectFields(w.opCtx, set, satisfies) {
		if f.Definition == nil {
			continue
		}
		p := f.Alias
		if at != "" {
			p = at + "." + f.Alias
		}
		items := parents
		if f.Definition.Directives.ForName("hasScope") != nil {
			name := f.ObjectDefinition.Name + "." + f.Name
			args := vendorkit.Args(f.ArgumentMap(w.opCtx.Variables))
			vendor, cost, _ := w.costs.Field(name) // querylimits.NewCosts made sure there is one
			if s, ok := step(p, name, vendor, cost, args, parents); ok {
				w.plan.Steps = append(w.plan.Steps, s)
				w.plan.VendorCalls[s.Vendor] += s.Calls
			}
			if cost.Items != nil {
				items = parents * max(cost.ItemsFor(args), 0)
			} else if size := pageOf(args, f.Definition.Type); size > 0 {
				items = parents * size
			}
		}
		if len(f.Selections) == 0 {
			continue
		}
		child := w.schema.Types[f.Definition.Type.Name()]
		if child == nil {
			continue
		}
		if f.Definition.Type.Elem != nil {
			p += "[]"
		}
		w.walk(f.Selections, child, p, items)
	}
}

// step is the plan step of field name at path, evaluated for parents
// objects, as its vendor's cost entry says; false for a field that makes
// no call of its own (Free, or a Link fetched with its parent).
func step(path, name, vendor string, cost vendorkit.Cost, args vendorkit.Args, parents int) (Step, bool) {
	s := Step{Path: path, Field: name, Vendor: vendor, Batching: cost.Batching}
	if s.Batching == "" {
		s.Batching = "one call"
	}
	switch cost.Kind {
	case vendorkit.Free:
		return s, false
	case vendorkit.Link:
		if cost.Batch <= 0 {
			return s, false
		}
		s.Cost, s.Calls = 1, vendorkit.Batches(parents, cost.Batch)
	case vendorkit.SubCall:
		s.Cost, s.Calls = querylimits.SubCall, parents*cost.CallsFor(args)
	default:
		s.Cost, s.Calls = querylimits.VendorCall, parents*cost.CallsFor(args)
	}
	return s, true
}

// pageOf is how many items a field returns at most: its first or last
// argument, or the default page for a list or connection without one; 0
// for a single object.
func pageOf(args map[string]any, t *ast.Type) int {
	for _, k := range []string{"first", "last"} {
		if v, ok := args[k].(int64); ok {
			return min(max(int(v), 0), querylimits.MaxPageSize)
		}
		if v, ok := args[k].(int); ok {
			return min(max(v, 0), querylimits.MaxPageSize)
		}
	}
	if t.Elem != nil || strings.HasSuffix(t.Name(), "Connection") {
		return querylimits.DefaultPageSize
	}
	return 0
}
