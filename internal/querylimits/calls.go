package querylimits

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/internal/outbound"
)

// VendorBudgetExceeded is the extensions.code of an operation over
// MaxVendorCalls: refused before it runs when VendorCalls can tell, or,
// at run time, on each call past the budget (the code internal/errcode
// gives outbound.KindBudgetExceeded).
const VendorBudgetExceeded = "VENDOR_BUDGET_EXCEEDED"

func init() {
	gqlerrcode.RegisterErrorType(VendorBudgetExceeded, gqlerrcode.KindProtocol)
}

// VendorCalls estimates how many vendor calls op makes: the complexity
// model with every call counted once and nothing else counted, so a page
// of n records each with one per-record call is 1 + n, and people(refs)
// is one call per 100 refs. Batched links (Customer.person) count
// nothing here, and a per-record call de-duplicated by id is counted for
// every record, so the estimate can be off either way; the budget is
// enforced on the calls actually made too (see VendorCallLimit).
func (c *Costs) VendorCalls(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	if op == nil {
		return 0
	}
	w := callWalker{es: costed{costs: c, u: units{call: 1, subCall: 1, link: 0}}, schema: c.schema, vars: vars}
	return w.set(ctx, op.SelectionSet)
}

type callWalker struct {
	es     graphql.ExecutableSchema
	schema *ast.Schema
	vars   map[string]any
}

func (w callWalker) set(ctx context.Context, set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n = add(n, w.field(ctx, s))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				n = add(n, w.set(ctx, s.Definition.SelectionSet))
			}
		case *ast.InlineFragment:
			n = add(n, w.set(ctx, s.SelectionSet))
		}
	}
	return n
}

func (w callWalker) field(ctx context.Context, f *ast.Field) int {
	if f.Definition == nil || f.ObjectDefinition == nil || f.Name == "__schema" || f.Name == "__type" {
		return 0
	}
	child := w.set(ctx, f.SelectionSet)
	args := f.ArgumentMap(w.vars)
	owners := []*ast.Definition{f.ObjectDefinition}
	if k := f.ObjectDefinition.Kind; k == ast.Interface || k == ast.Union {
		owners = w.schema.GetPossibleTypes(f.ObjectDefinition) // the dearest implementation
	}
	most := 0
	for _, o := range owners {
		c, ok := w.es.Complexity(ctx, o.Name, f.Name, child, args)
		if !ok {
			c = child // no vendor call of its own
		}
		most = max(most, c)
	}
	return most
}

// VendorCallLimit refuses, before it runs, an operation VendorCalls
// estimates at more than max vendor calls, and gives every operation that
// runs a budget of max calls (outbound.WithCallBudget), which the
// outbound chain enforces call by call whatever the estimate said.
func VendorCallLimit(max int, costs *Costs) graphql.HandlerExtension {
	return vendorCallLimit{max: max, costs: costs}
}

type vendorCallLimit struct {
	max   int
	costs *Costs
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
} = vendorCallLimit{}

func (vendorCallLimit) ExtensionName() string                   { return "SwitchyardVendorCallLimit" }
func (vendorCallLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (l vendorCallLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if n := l.costs.VendorCalls(ctx, opCtx.Operation, opCtx.Variables); n > l.max {
		return refusal(VendorBudgetExceeded, "operation would make %d vendor calls, which exceeds the limit of %d", n, l.max)
	}
	return nil
}

func (l vendorCallLimit) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(outbound.WithCallBudget(ctx, l.max))
}
