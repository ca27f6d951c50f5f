package querylimits

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/switchyard/switchyard/internal/base/vendorkit"
)

// Costs used by the complexity model.
const (
	// VendorCall is the cost of one call to a vendor.
	VendorCall = 10
	// SubCall is the cost of a per-record vendor call that is de-duplicated
	// by id within a request (AppDirect company, Cordial contact count).
	SubCall = 5
	// DefaultPageSize and MaxPageSize are the page sizes the resolvers
	// serve (vendorkit's, restated for the packages that cost pages).
	DefaultPageSize = vendorkit.DefaultPageSize
	MaxPageSize     = vendorkit.MaxPageSize
)

// GatewayCosts are the costs of the fields of graph/schema.graphqls that
// carry @hasScope but belong to no vendor: invalidateCache drops cached
// reads and calls nobody.
var GatewayCosts = map[string]vendorkit.Cost{
	"Mutation.invalidateCache": {Kind: vendorkit.Free},
}

// scalarsAreFree makes scalar and enum fields cost 0, so that the cost
// counts vendor calls and the objects they return, and selecting every
// field of a record costs the same as selecting one.
var scalarsAreFree = complexity.WithFixedScalarValue(0)

// Costs is the cost model of one gateway: the cost of every schema field
// that may call a vendor, as each vendor module states it
// (vendorkit.Config.Costs), with the vendor it calls. The complexity
// limit, the vendor-call budget and the cost plan all read it, so they
// cannot disagree.
//
//	field kind                       cost
//	scalar and enum fields           0
//	object fields without an entry   1 + child
//	Call                             10 × calls + items × child
//	SubCall                          5 × calls + items × child
//	Link                             1 + items × child
//	Free                             1 + child
//	_entities(representations)       10 per representation (a type with a
//	                                 batch: 10 per batch) + reps × child
//
// calls and items come from the field's arguments (a page of n items is
// n × child, since the selection is resolved for each item). For
// example, `{ customers(first: 20) { nodes { name person { id } } } }`
// costs 10 + 20 × (1 + 1) = 50; the default limit is 1000.
type Costs struct {
	schema   *ast.Schema
	fields   map[string]fieldCost
	entities map[string]fieldCost // entity type -> its vendor, representations per call (Batch)
}

type fieldCost struct {
	vendor string
	vendorkit.Cost
}

// NewCosts checks byVendor (each vendor's Costs, keyed by vendor name)
// against schema and returns the model. Every field carrying @hasScope,
// the mark of a field that may call a vendor, must have exactly one
// entry, in GatewayCosts or in one vendor's; every entry must name a
// field of the schema ("_entities.T": an entity type). A field without
// an entry would otherwise cost 1 whatever it calls.
func NewCosts(schema *ast.Schema, byVendor map[string]map[string]vendorkit.Cost) (*Costs, error) {
	c := &Costs{schema: schema, fields: map[string]fieldCost{}, entities: map[string]fieldCost{}}
	var problems []string
	add := func(vendor string, costs map[string]vendorkit.Cost) {
		for name, cost := range costs {
			if t, ok := strings.CutPrefix(name, "_entities."); ok {
				if def := schema.Types[t]; def == nil || def.Directives.ForName("key") == nil {
					problems = append(problems, fmt.Sprintf("%s: %s is no entity type", vendor, t))
				}
				c.entities[t] = fieldCost{vendor: vendor, Cost: cost}
				continue
			}
			typ, field, _ := strings.Cut(name, ".")
			if def := schema.Types[typ]; def == nil || def.Fields.ForName(field) == nil {
				problems = append(problems, fmt.Sprintf("%s: %s is not a schema field", vendor, name))
				continue
			}
			if prev, dup := c.fields[name]; dup {
				problems = append(problems, fmt.Sprintf("%s: %s is costed by %s too", vendor, name, prev.vendor))
				continue
			}
			c.fields[name] = fieldCost{vendor: vendor, Cost: cost}
		}
	}
	add("", GatewayCosts)
	vendors := make([]string, 0, len(byVendor))
	for v := range byVendor {
		vendors = append(vendors, v)
	}
	sort.Strings(vendors)
	for _, v := range vendors {
		add(v, byVendor[v])
	}
	for _, def := range schema.Types {
		if def.Directives.ForName("key") != nil {
			if _, ok := c.entities[def.Name]; !ok {
				problems = append(problems, "_entities."+def.Name+": an entity type a router may fetch, but no vendor module gives its cost")
			}
		}
		for _, f := range def.Fields {
			name := def.Name + "." + f.Name
			if f.Directives.ForName("hasScope") != nil {
				if _, ok := c.fields[name]; !ok {
					problems = append(problems, name+" may call a vendor (@hasScope) but no vendor module gives its cost")
				}
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("cost model: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// Field is the cost of a field ("Type.field") and the vendor it calls
// ("" for the gateway's own fields).
func (c *Costs) Field(name string) (vendor string, cost vendorkit.Cost, ok bool) {
	f, ok := c.fields[name]
	return f.vendor, f.Cost, ok
}

// Schema wraps es so that its field costs are this model's: pass the
// result to handler.New, and the complexity limit, the cost report and
// the plan read it.
func (c *Costs) Schema(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	return costed{ExecutableSchema: es, costs: c, u: units{call: VendorCall, subCall: SubCall, link: 1}}
}

// units are what the model charges: a vendor call, a per-record sub-call
// and a link (a field with no call of its own per parent). The
// complexity limit charges 10, 5 and 1; VendorCalls charges 1, 1 and 0,
// so the same model counts calls.
type units struct{ call, subCall, link int }

type costed struct {
	graphql.ExecutableSchema // nil when only counting calls
	costs                    *Costs
	u                        units
}

func (s costed) Schema() *ast.Schema { return s.costs.schema }

func (s costed) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if typeName == "Query" && field == "_entities" {
		return s.entities(child, args), true
	}
	f, ok := s.costs.fields[typeName+"."+field]
	if !ok || f.Kind == vendorkit.Free {
		if s.ExecutableSchema == nil {
			return 0, false
		}
		return s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	}
	a := vendorkit.Args(args)
	items := mul(max(f.ItemsFor(a), 0), child)
	switch f.Kind {
	case vendorkit.SubCall:
		return add(mul(s.u.subCall, f.CallsFor(a)), items), true
	case vendorkit.Link:
		return add(s.u.link, items), true
	}
	return add(mul(s.u.call, f.CallsFor(a)), items), true
}

// entities is the cost of Query._entities: one call per representation,
// except for entity types whose vendor batches them.
func (s costed) entities(child int, args map[string]any) int {
	calls, n := 0, 0
	for _, g := range s.costs.entityCalls(args) {
		calls += g.calls
		n += g.reps
	}
	return add(mul(s.u.call, calls), mul(n, child))
}

// entityGroup is the representations of one entity type in _entities.
type entityGroup struct {
	typename, vendor string
	reps, calls      int
}

// entityCalls groups _entities' representations by type, in the order
// types first appear: the calls each type's vendor gets (one per
// representation, or per batch of them).
func (c *Costs) entityCalls(args map[string]any) []entityGroup {
	var types []string
	switch reps := args["representations"].(type) {
	case []any:
		for _, r := range reps {
			m, _ := r.(map[string]any)
			t, _ := m["__typename"].(string)
			types = append(types, t)
		}
	case []map[string]any:
		for _, m := range reps {
			t, _ := m["__typename"].(string)
			types = append(types, t)
		}
	}
	var out []entityGroup
	at := map[string]int{}
	for _, t := range types {
		i, seen := at[t]
		if !seen {
			i = len(out)
			at[t] = i
			out = append(out, entityGroup{typename: t, vendor: c.entities[t].vendor})
		}
		out[i].reps++
	}
	for i, g := range out {
		if batch := c.entities[g.typename].Batch; batch > 0 {
			out[i].calls = vendorkit.Batches(g.reps, batch)
		} else {
			out[i].calls = g.reps
		}
	}
	return out
}

const maxInt = int(^uint(0) >> 1)

// mul and add saturate instead of overflowing: a document built to wrap
// the cost round to a small number is refused instead.
func mul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > maxInt/b {
		return maxInt
	}
	return a * b
}

func add(a, b int) int { return saturatingAdd(a, b) }

// Cost is an operation's estimated cost in this model (what
// ComplexityLimit checks), for reporting it when the limit is off. es is
// the schema Costs.Schema returned.
func Cost(ctx context.Context, es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) int {
	return complexity.Calculate(ctx, es, op, vars, scalarsAreFree)
}
