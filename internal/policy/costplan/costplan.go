// Package costplan tells a client what an operation costs and what it
// would do, on request:
//
//   - X-Switchyard-Cost: true — the response's extensions.cost carries the
//     operation's estimated cost (internal/policy/querylimits' complexity model),
//     the limit it was checked against, and the vendor calls the request
//     asked for, by vendor (cache hits included: the report says nothing
//     of other clients' reads).
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
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/errcode"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
)

// The request headers, and the extensions keys they fill.
const (
	CostHeader = "X-Switchyard-Cost"
	PlanHeader = "X-Switchyard-Plan"
	CostKey    = "cost"
	PlanKey    = "plan"
)

// idempotencyKeyHeader is internal/policy/idempotency's KeyHeader (not imported:
// idempotency has no business being a dependency of this package).
const idempotencyKeyHeader = "Idempotency-Key"

type modeKey struct{}

type mode struct {
	cost bool
	plan bool
}

// Middleware reads the cost and plan headers. For a plan it drops any
// Idempotency-Key, since a plan is not the operation's outcome and must
// not be stored as one, nor answered from a stored one.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := mode{cost: on(r.Header.Get(CostHeader)), plan: on(r.Header.Get(PlanHeader))}
		if !m.cost && !m.plan {
			next.ServeHTTP(w, r)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), modeKey{}, m))
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
	// VendorCalls are the vendor calls the request asked for, by vendor:
	// served from the read cache, shared with another request in flight,
	// or sent. They depend on this request alone: a count of the calls
	// sent would tell a client whether another had read the same record
	// recently (outbound.Calls).
	VendorCalls map[string]int `json:"vendorCalls"`
}

// Plan is extensions.plan: querylimits' plan of the operation, which
// the call budget is checked against too.
type Plan = querylimits.Plan

// Step is one field that calls a vendor.
type Step = querylimits.Step

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
	if !m.cost || resp == nil || (resp.HasNext != nil && *resp.HasNext) || !graphql.HasOperationContext(ctx) {
		return resp
	}
	est, limit := e.cost(ctx)
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	calls := map[string]int{}
	if l := outbound.HooksFrom(ctx).Ledger; l != nil {
		calls = l.Asked()
	}
	resp.Extensions[CostKey] = Cost{Estimated: est, Limit: limit, VendorCalls: calls}
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
	p := e.costs.Plan(graphql.GetOperationContext(ctx))
	p.Estimated, p.Limit = e.cost(ctx)
	return p
}
