package generated

// Hand-written, not generated: gqlgen leaves the other files of its exec
// package alone. cmd/gqlgen-switchyard rewrites every list-of-objects
// marshaller of generated.go to call marshalList, and writes the
// objectFields table it reads (resolver_fields.go).

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// objectInfo is one object type in objectFields.
type objectInfo struct {
	// satisfies is the type and the interfaces and unions it belongs to:
	// CollectFields' argument, the same as generated.go's for the type.
	satisfies []string
	fields    map[string]fieldInfo
}

// fieldInfo is one field of an object type in objectFields.
type fieldInfo struct {
	typ      string // the named type, lists and non-null taken off
	leaf     bool   // typ is a scalar or an enum: no selection below it
	resolver bool   // a resolver produces the field: it may wait on a loader
}

// marshalList marshals the elements of a list of typeName objects, as
// graphql.MarshalSliceConcurrently does (each element under a
// FieldContext with its Index, a panic in one recovered to an error and a
// null element unless omitPanicHandler), but one after another, on the
// caller's goroutine, when inOrder says no element can wait on a
// resolver. Otherwise, or for fewer than two elements, it is
// MarshalSliceConcurrently with the same arguments.
//
// Concurrency matters for elements that reach a resolver: Account.company,
// Customer.person and the like call per-request loaders, which gather the
// keys asked for within a short wait and fetch them in one batch. Marshalled
// in turn, each element would wait out the loader alone and the list would
// cost one batch per element. Elements that only read fields of the Go
// value never wait, and a goroutine each is pure overhead.
//
// Field directives run inline in either case, as gqlgen runs them: the
// schema's one runtime directive, @hasScope, reads the request's scopes
// and does not wait.
func marshalList(
	ctx context.Context,
	sel ast.SelectionSet,
	typeName string,
	length int,
	workerLimit int64,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	if length < 2 || !inOrder(graphql.GetOperationContext(ctx), sel, typeName) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshalElement)
	}
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		// With a worker limit, MarshalSliceConcurrently starts no element
		// once ctx is done: the rest are null, reported once.
		if workerLimit > 0 && ctx.Err() != nil {
			graphql.AddError(childCtx, ctx.Err())
			for j := i; j < length; j++ {
				ret[j] = graphql.Null
			}
			break
		}
		ret[i] = marshalOne(childCtx, i, omitPanicHandler, marshalElement)
	}
	return ret
}

// marshalOne marshals element i, recovering a panic into an error on ctx
// and a null element unless omitPanicHandler.
func marshalOne(ctx context.Context, i int, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	return marshalElement(ctx, i)
}

// inOrder reports whether typeName objects, under the selection sel, can
// be marshalled one after another: every field the selection reaches, in
// the object and in the objects below it, is read from the Go value (no
// resolver), and every type it reaches below a leaf is an object type. An
// interface or a union (whose members may differ) or a type not in the
// table makes it false, to be safe.
//
// It collects fields as the generated marshallers do, with the same
// arguments, so @skip and @include are honoured with the request's
// variables, and the result lands in the operation's CollectFields cache,
// which the elements then read instead of collecting again: deciding costs
// a few map look-ups per selected field.
func inOrder(oc *graphql.OperationContext, sel ast.SelectionSet, typeName string) bool {
	obj, ok := objectFields[typeName]
	if !ok {
		return false
	}
	for _, f := range graphql.CollectFields(oc, sel, obj.satisfies) {
		if f.Name == "__typename" {
			continue
		}
		fi, ok := obj.fields[f.Name]
		if !ok || fi.resolver {
			return false
		}
		if !fi.leaf && !inOrder(oc, f.Selections, fi.typ) {
			return false
		}
	}
	return true
}
