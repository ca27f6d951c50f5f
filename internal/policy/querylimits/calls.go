package querylimits

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// VendorBudgetExceeded is the extensions.code of an operation over
// MaxVendorCalls: refused before it runs when VendorCalls can tell, or,
// at run time, on each call past the budget (the code internal/policy/errcode
// gives outbound.KindBudgetExceeded).
const VendorBudgetExceeded = "VENDOR_BUDGET_EXCEEDED"

func init() {
	gqlerrcode.RegisterErrorType(VendorBudgetExceeded, gqlerrcode.KindProtocol)
}

// VendorCallLimit refuses, before it runs, an operation whose Plan makes
// more than max vendor calls, and gives every operation that
// runs a budget of max calls (outbound.Calls.SetBudget), which the
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
	if n := l.costs.Plan(opCtx).Calls(); n > l.max {
		return refusal(VendorBudgetExceeded, "operation would make %d vendor calls, which exceeds the limit of %d", n, l.max)
	}
	return nil
}

func (l vendorCallLimit) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	h := outbound.HooksFrom(ctx)
	if h.Ledger == nil {
		// Outside the gateway (which gives every request one), the budget
		// needs a ledger of its own.
		h.Ledger = &outbound.Calls{}
		ctx = outbound.WithHooks(ctx, h)
	}
	h.Ledger.SetBudget(l.max)
	return next(ctx)
}
