package vendorkit

import (
	"encoding/json"
	"math"
	"reflect"
)

// Kind is what one call of a field costs in the complexity model and
// whether it counts as a vendor call.
type Kind int

const (
	// Call is a vendor call: complexity 10, one call.
	Call Kind = iota
	// SubCall is a per-record call shared by id within a request
	// (AppDirect company, Cordial contact count): complexity 5, one call.
	SubCall
	// Link is a field that makes no call per parent: it is fetched with
	// its parent (Batch 0), or batched across the whole request, Batch
	// parents per call (Customer.person): complexity 1, no call counted
	// per parent.
	Link
	// Free is a field that never calls a vendor (a dry-run payload's
	// record, read by the mutation itself): costed as an ordinary object
	// field, 1 plus its selection, and absent from the plan.
	Free
)

// Page sizes as the resolvers serve them: a page argument left out asks
// for DefaultPageSize items, and one above MaxPageSize is refused by the
// resolver (BAD_USER_INPUT), so it is costed as MaxPageSize rather than
// reported as too complex.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Cost is the cost of one schema field:
//
//	cost = unit(Kind) × Calls + Items × (cost of the field's selection)
//
// and, in the plan, the calls it makes for its parents.
type Cost struct {
	Kind Kind
	// Calls is how many calls one evaluation of the field makes, from its
	// arguments; nil: one.
	Calls func(Args) int
	// Items is how many objects the field returns per evaluation, each
	// costing its selection; nil: one (a single object or a scalar).
	Items func(Args) int
	// Batch is, for a Link batched across the request, how many parents
	// share one call.
	Batch int
	// Batching says in words how the calls are made, for the plan.
	Batching string
}

// CallsFor is how many calls the field makes for one evaluation.
func (c Cost) CallsFor(a Args) int {
	if c.Calls == nil {
		return 1
	}
	return c.Calls(a)
}

// ItemsFor is how many objects one evaluation returns.
func (c Cost) ItemsFor(a Args) int {
	if c.Items == nil {
		return 1
	}
	return c.Items(a)
}

// Args are a field's arguments as the query states them (variables
// resolved): numbers as int, int64, float64 or json.Number, input
// objects as maps, lists as []any.
type Args map[string]any

// Page is the page size the named arguments ask for: the largest of
// those given (a resolver refuses first with last, so the larger is the
// worst case), DefaultPageSize when none is, clamped to 0..MaxPageSize.
func (a Args) Page(names ...string) int {
	n, set := 0, false
	for _, name := range names {
		if v, ok := a.Int(name); ok {
			n, set = max(n, v), true
		}
	}
	if !set {
		return DefaultPageSize
	}
	return min(max(n, 0), MaxPageSize)
}

// Int is the integer argument name, if it is given.
func (a Args) Int(name string) (int, bool) {
	switch v := a[name].(type) {
	case int:
		return v, true
	case int64:
		return clampInt(float64(v)), true
	case float64:
		return clampInt(v), true
	case json.Number:
		f, err := v.Float64()
		return clampInt(f), err == nil
	}
	return 0, false
}

func clampInt(f float64) int {
	switch {
	case math.IsNaN(f):
		return 0
	case f > math.MaxInt32:
		return math.MaxInt32
	case f < math.MinInt32:
		return math.MinInt32
	}
	return int(f)
}

// Len is the length of the list at path (an argument, then fields of
// input objects below it); 0 when it is absent.
func (a Args) Len(path ...string) int {
	var v any = map[string]any(a)
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return 0
		}
		v = m[p]
	}
	if l := reflect.ValueOf(v); l.Kind() == reflect.Slice {
		return l.Len()
	}
	return 0
}

// Batches is how many calls n items take, size per call (at least one).
func Batches(n, size int) int {
	if size <= 0 {
		return 1
	}
	return max(1, (n+size-1)/size)
}
