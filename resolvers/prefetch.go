package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/ortto"
)

// prefetchPeople starts, in one go, the Ortto lookups of every customer on
// a page whose `person` the client selected. Each Customer.person resolver
// then finds its person already in the loader, so the page costs one Ortto
// call per batch of 100 however the resolvers happen to be scheduled,
// rather than relying on them all arriving within the loader's wait.
func (r *Resolver) prefetchPeople(ctx context.Context, customers []apptivo.Customer) {
	if _, err := r.ortto(); err != nil || !selectsCustomerPerson(ctx) {
		return
	}
	keys := make([]ortto.PersonRef, 0, len(customers))
	for i := range customers {
		if email := customers[i].PrimaryEmail(); email != "" {
			keys = append(keys, ortto.PersonRef{Email: email}.Canonical())
		}
	}
	if len(keys) > 0 {
		r.loaders(ctx).Person.LoadAllThunk(ctx, keys) // results are read by Customer.person
	}
}

// selectsCustomerPerson reports whether the current connection field
// selects person under nodes or edges.node (through fragments, aliases and
// directives).
func selectsCustomerPerson(ctx context.Context) bool {
	opCtx := graphql.GetOperationContext(ctx)
	has := func(sel ast.SelectionSet) bool {
		for _, f := range graphql.CollectFields(opCtx, sel, []string{"Customer"}) {
			if f.Name == "person" {
				return true
			}
		}
		return false
	}
	for _, f := range graphql.CollectFields(opCtx, graphql.GetFieldContext(ctx).Field.Selections, []string{"CustomerConnection"}) {
		switch f.Name {
		case "nodes":
			if has(f.Selections) {
				return true
			}
		case "edges":
			for _, e := range graphql.CollectFields(opCtx, f.Selections, []string{"CustomerEdge"}) {
				if e.Name == "node" && has(e.Selections) {
					return true
				}
			}
		}
	}
	return false
}
