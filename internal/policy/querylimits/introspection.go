package querylimits

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// IntrospectionDisabled is the extensions.code of an operation that asks
// for the schema (__schema, __type or a router's _service) while
// introspection is off.
const IntrospectionDisabled = "INTROSPECTION_DISABLED"

func init() {
	gqlerrcode.RegisterErrorType(IntrospectionDisabled, gqlerrcode.KindProtocol)
}

// NoIntrospection refuses, before anything runs, an operation that
// selects __schema, __type or _service at its root. Without it gqlgen
// runs the operation and fails those fields with an untyped "introspection
// disabled", which the presenter can only call INTERNAL_SERVER_ERROR and
// log at ERROR on every probe. A refusal is the client's doing, so it is
// logged at INFO. __typename stays allowed: clients select it everywhere.
func NoIntrospection(logger *slog.Logger) graphql.HandlerExtension {
	if logger == nil {
		logger = slog.Default()
	}
	return noIntrospection{logger: logger}
}

type noIntrospection struct{ logger *slog.Logger }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = noIntrospection{}

func (noIntrospection) ExtensionName() string                   { return "SwitchyardNoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }
func (n noIntrospection) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	field := introspectionField(opCtx.Doc, opCtx.Operation.SelectionSet, map[string]bool{})
	if field == "" {
		return nil
	}
	n.logger.InfoContext(ctx, "introspection refused", "field", field, "operation", opCtx.OperationName)
	return refusal(IntrospectionDisabled, "introspection is disabled on this gateway")
}

// introspectionField is the first root field of set that introspects the
// schema, following fragments at the root, or "".
func introspectionField(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) string {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			switch s.Name {
			case "__schema", "__type", "_service":
				return s.Name
			}
		case *ast.InlineFragment:
			if f := introspectionField(doc, s.SelectionSet, seen); f != "" {
				return f
			}
		case *ast.FragmentSpread:
			if seen[s.Name] || doc == nil {
				continue
			}
			seen[s.Name] = true
			if def := doc.Fragments.ForName(s.Name); def != nil {
				if f := introspectionField(doc, def.SelectionSet, seen); f != "" {
					return f
				}
			}
		}
	}
	return ""
}
