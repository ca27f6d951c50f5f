package graphqlhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// OmitDeferred is a gqlgen extension that leaves deferred fields out of
// an operation's initial payload, as the incremental delivery proposal
// specifies: a field selected only under an active @defer appears in the
// later payload that delivers it, and nowhere before.
//
// gqlgen (v0.17.98) writes such a field as null in the initial payload
// (graphql.FieldSet.ResolveConcurrently keeps graphql.Null in its slot).
// A client cannot tell that null from a resolved one: Apollo Client
// reported the result complete, with person: null, and changed it when
// the incremental payload came. The extension rewrites the initial
// payload's data, dropping the keys the operation selects only under an
// active @defer, found with gqlgen's own field collection (skip, include
// and defer's `if` applied as the executor applied them). On an abstract
// type whose object does not say its __typename, a key is dropped only
// when every possible type defers it. Later payloads are left as written:
// a @defer nested inside a deferred fragment still arrives as null there.
type OmitDeferred struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = &OmitDeferred{}

// ExtensionName implements graphql.HandlerExtension.
func (*OmitDeferred) ExtensionName() string { return "SwitchyardOmitDeferred" }

// Validate implements graphql.HandlerExtension; it keeps the schema, whose
// types the payload is walked with.
func (o *OmitDeferred) Validate(es graphql.ExecutableSchema) error {
	o.schema = es.Schema()
	if o.schema == nil || o.schema.Query == nil {
		return errors.New("graphqlhttp.OmitDeferred needs a schema with a query type")
	}
	return nil
}

// InterceptResponse implements graphql.ResponseInterceptor. The initial
// payload of an operation that deferred something is the one with
// HasNext set and no path (incremental payloads carry theirs).
func (o *OmitDeferred) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || resp.HasNext == nil || resp.Path != nil || len(resp.Data) == 0 || !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return resp
	}
	w := deferWalker{oc: oc, schema: o.schema}
	if data, err := w.object(resp.Data, o.schema.Query, oc.Operation.SelectionSet); err == nil {
		resp.Data = data
	}
	return resp
}

type deferWalker struct {
	oc     *graphql.OperationContext
	schema *ast.Schema
}

// selected is what the operation selects under one response key of an
// object.
type selected struct {
	deferredOnly bool // every collection of the key defers it
	typ          *ast.Type
	set          ast.SelectionSet // the key's sub-selections, merged
}

// object rewrites raw, a JSON object of type def selected by set (or null),
// without the keys set selects only under an active @defer.
func (w deferWalker) object(raw json.RawMessage, def *ast.Definition, set ast.SelectionSet) (json.RawMessage, error) {
	keys, values, err := members(raw)
	if err != nil || keys == nil {
		return raw, err
	}
	types := []*ast.Definition{def}
	if def.IsAbstractType() {
		types = w.schema.GetPossibleTypes(def)
		for i, k := range keys {
			var name string
			if k == "__typename" && json.Unmarshal(values[i], &name) == nil && w.schema.Types[name] != nil {
				types = []*ast.Definition{w.schema.Types[name]}
			}
		}
	}
	fields := map[string]*selected{}
	for _, t := range types {
		satisfies := []string{t.Name}
		for _, impl := range w.schema.GetImplements(t) {
			satisfies = append(satisfies, impl.Name)
		}
		for _, f := range graphql.CollectFields(w.oc, set, satisfies) {
			s, seen := fields[f.Alias]
			if !seen {
				s = &selected{deferredOnly: true}
				if f.Definition != nil {
					s.typ = f.Definition.Type
				}
				fields[f.Alias] = s
			}
			s.deferredOnly = s.deferredOnly && f.IsDeferred()
			s.set = append(s.set, f.Selections...)
		}
	}
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	for i, k := range keys {
		s := fields[k]
		if s != nil && s.deferredOnly {
			continue
		}
		v := values[i]
		if s != nil && s.typ != nil && len(s.set) > 0 {
			if v, err = w.value(v, s.typ, s.set); err != nil {
				return raw, err
			}
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(k)
		out.Write(key)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// value rewrites raw, a value of type typ (an object, or lists of them)
// selected by set.
func (w deferWalker) value(raw json.RawMessage, typ *ast.Type, set ast.SelectionSet) (json.RawMessage, error) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return raw, nil
	}
	if typ.Elem == nil {
		def := w.schema.Types[typ.NamedType]
		if def == nil || (def.Kind != ast.Object && !def.IsAbstractType()) {
			return raw, nil
		}
		return w.object(raw, def, set)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return raw, err
	}
	var out bytes.Buffer
	out.WriteByte('[')
	for i, item := range items {
		v, err := w.value(item, typ.Elem, set)
		if err != nil {
			return raw, err
		}
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(v)
	}
	out.WriteByte(']')
	return out.Bytes(), nil
}

// members splits a JSON object into its keys and raw values, in order;
// nil keys for null.
func members(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if tok == nil {
		return nil, nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("not a JSON object")
	}
	keys := []string{}
	var values []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, key)
		values = append(values, v)
	}
	return keys, values, nil
}
