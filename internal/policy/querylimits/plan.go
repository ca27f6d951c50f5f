package querylimits

import (
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Plan is what an operation would do at the vendors: each field that
// calls one, how, and how many calls each vendor would get. It is the
// one count of an operation's vendor calls: the budget
// (SWITCHYARD_MAX_VENDOR_CALLS) refuses an operation by it before it
// runs, X-Switchyard-Plan shows it, and the calls a request then asks
// for (outbound.Calls.Asked, in X-Switchyard-Cost) equal it.
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

// Plan walks the operation of opCtx with the cost model: the steps in
// document order, and the calls per vendor (Estimated and Limit are the
// caller's to fill).
func (c *Costs) Plan(opCtx *graphql.OperationContext) Plan {
	p := Plan{Steps: []Step{}, VendorCalls: map[string]int{}}
	op := opCtx.Operation
	if op == nil {
		return p
	}
	p.Operation = string(op.Operation)
	var root *ast.Definition
	switch op.Operation {
	case ast.Mutation:
		root = c.schema.Mutation
	case ast.Subscription:
		root = c.schema.Subscription
	default:
		root = c.schema.Query
	}
	if root == nil {
		return p
	}
	w := planWalker{opCtx: opCtx, schema: c.schema, costs: c, plan: &p}
	w.walk(op.SelectionSet, root, "", 1)
	return p
}

// Calls is the plan's total of vendor calls.
func (p Plan) Calls() int {
	n := 0
	for _, c := range p.VendorCalls {
		n = add(n, c)
	}
	return n
}

type planWalker struct {
	opCtx  *graphql.OperationContext
	schema *ast.Schema
	costs  *Costs
	plan   *Plan
}

// walk adds the steps of set, selected on def; parents is how many
// objects of def the response can hold (an upper bound from page sizes).
func (w planWalker) walk(set ast.SelectionSet, def *ast.Definition, at string, parents int) {
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
		if f.ObjectDefinition.Name == "Query" && f.Name == "_entities" {
			// A router's entity fetch: each type's vendor, by its batches.
			for _, g := range w.costs.entityCalls(f.ArgumentMap(w.opCtx.Variables)) {
				if g.vendor == "" {
					continue // resolved without a vendor call
				}
				w.plan.Steps = append(w.plan.Steps, Step{Path: p, Field: "_entities." + g.typename, Vendor: g.vendor,
					Calls: mul(parents, g.calls), Batching: entityBatching(w.costs.entities[g.typename].Batch), Cost: VendorCall})
				w.plan.VendorCalls[g.vendor] += mul(parents, g.calls)
			}
			continue
		}
		if f.Definition.Directives.ForName("hasScope") != nil {
			name := f.ObjectDefinition.Name + "." + f.Name
			args := vendorkit.Args(f.ArgumentMap(w.opCtx.Variables))
			vendor, cost, _ := w.costs.Field(name) // NewCosts made sure there is one
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
		s.Cost, s.Calls = SubCall, parents*cost.CallsFor(args)
	default:
		s.Cost, s.Calls = VendorCall, parents*cost.CallsFor(args)
	}
	return s, true
}

// pageOf is how many items a field returns at most: its first or last
// argument, or the default page for a list or connection without one; 0
// for a single object.
func pageOf(args map[string]any, t *ast.Type) int {
	for _, k := range []string{"first", "last"} {
		if v, ok := args[k].(int64); ok {
			return min(max(int(v), 0), MaxPageSize)
		}
		if v, ok := args[k].(int); ok {
			return min(max(v, 0), MaxPageSize)
		}
	}
	if t.Elem != nil || strings.HasSuffix(t.Name(), "Connection") {
		return DefaultPageSize
	}
	return 0
}

func entityBatching(batch int) string {
	if batch > 0 {
		return "batches of up to " + strconv.Itoa(batch) + " representations"
	}
	return "one call per representation"
}
