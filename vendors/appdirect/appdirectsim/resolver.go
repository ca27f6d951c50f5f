package appdirectsim

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim/graph"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim/graph/model"
)

// newGraphQLHandler builds a GraphQL endpoint: gqlgen validates every
// operation against the schema (unknown fields, wrong variable types)
// before a resolver runs, as AppDirect's server does. preview says which
// endpoint it is: only /api/graphql/preview serves the operations in
// Preview status (previewOnly); /api/graphql refuses them as fields it
// does not know.
func newGraphQLHandler(st *store, preview bool) http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &resolver{store: st}}))
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	if !preview {
		srv.Use(productionOnly{})
	}
	return srv
}

// previewOnly lists the root fields in Preview status, by root type.
// AppDirect's reference marks deleteAccount "Preview".
var previewOnly = map[string][]string{"Mutation": {"deleteAccount"}}

// productionOnly refuses, on the production endpoint, an operation that
// selects a Preview-status root field. Inference: AppDirect's production
// schema simply lacks those fields, so the refusal is the validation error
// an unknown field gets (HTTP 422, GRAPHQL_VALIDATION_FAILED).
type productionOnly struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = productionOnly{}

func (productionOnly) ExtensionName() string                   { return "ProductionOnly" }
func (productionOnly) Validate(graphql.ExecutableSchema) error { return nil }
func (productionOnly) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	root := "Query"
	if opCtx.Operation.Operation == "mutation" {
		root = "Mutation"
	}
	for _, f := range graphql.CollectFields(opCtx, opCtx.Operation.SelectionSet, []string{root}) {
		if slices.Contains(previewOnly[root], f.Name) {
			e := gqlerror.Errorf("Cannot query field %q on type %q. It is in Preview status: use /api/graphql/preview.", f.Name, root)
			errcode.Set(e, errcode.ValidationFailed)
			return e
		}
	}
	return nil
}

// resolver is the hand-written graph.ResolverRoot over the store.
type resolver struct{ store *store }

func (r *resolver) Query() graph.QueryResolver       { return queryResolver{r} }
func (r *resolver) Mutation() graph.MutationResolver { return mutationResolver{r} }
func (r *resolver) Account() graph.AccountResolver   { return accountResolver{r} }

type accountResolver struct{ *resolver }

// AccountMemberships pages the account's stored memberships. An account
// deleted since its parent field resolved has none.
func (a accountResolver) AccountMemberships(ctx context.Context, obj *model.Account, first *int, after *string) (*model.AccountMembershipConnection, error) {
	rec, _ := a.store.get(obj.ID)
	conn, err := paginateMemberships(rec.Memberships.list, first, after)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return conn, nil
}

type queryResolver struct{ *resolver }

func (q queryResolver) Accounts(ctx context.Context, first *int, after *string, last *int, before *string, filter *model.AccountFilter, orderBy *model.AccountOrderBy) (*model.AccountConnection, error) {
	conn, err := paginate(q.store.snapshot(), pageArgs{first: first, last: last, after: after, before: before, filter: filter, orderBy: orderBy})
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return conn, nil
}

func (q queryResolver) Account(ctx context.Context, id string) (*model.Account, error) {
	a, ok := q.store.get(id)
	if !ok {
		return nil, nil
	}
	m := toModel(a)
	return &m, nil
}

func (q queryResolver) AccountByExternalID(ctx context.Context, externalID string) (*model.Account, error) {
	a, ok := q.store.getByExternalID(externalID)
	if !ok {
		return nil, nil
	}
	m := toModel(a)
	return &m, nil
}

type mutationResolver struct{ *resolver }

// errForbidden is a read-only token attempting a mutation. Inference:
// reported as a GraphQL error with extensions.code FORBIDDEN.
var errForbidden = errors.New("access denied: deleteAccount requires the ROLE_PARTNER scope")

func (m mutationResolver) DeleteAccount(ctx context.Context, input model.DeleteAccountInput) (*model.DeleteAccountPayload, error) {
	if !canWrite(ctx) {
		return nil, gqlError(ctx, errForbidden)
	}
	if errs := m.store.delete(input.AccountID); len(errs) > 0 {
		return &model.DeleteAccountPayload{Success: false, UserErrors: errs}, nil
	}
	return &model.DeleteAccountPayload{Success: true}, nil
}

// gqlError gives a resolver error the extensions.code a client can act on.
func gqlError(ctx context.Context, err error) *gqlerror.Error {
	code := "INTERNAL_SERVER_ERROR"
	var ie inputError
	switch {
	case errors.As(err, &ie):
		code = "BAD_USER_INPUT"
	case errors.Is(err, errForbidden):
		code = "FORBIDDEN"
	}
	e := gqlerror.WrapPath(graphql.GetPath(ctx), err)
	e.Extensions = map[string]any{"code": code}
	return e
}
