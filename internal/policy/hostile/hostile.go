// Package hostile builds GraphQL requests meant to cost the gateway as
// much as a request can: the documents of issue 9 (same-named fields with
// different arguments, thousands of copies of a root field) and their
// relatives (fragment bombs, deep nesting, many operations, huge
// variables, error floods). The regression tests send them small, the
// fuzz target mixes them, and cmd/hostile sends them at full size to a
// running gateway. Every document is aimed at the Switchyard schema.
package hostile

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MaxBody is the largest request body the gateway reads (1 MiB); a case
// never exceeds it, so it is refused or answered on its content, not its
// size.
const MaxBody = 1 << 20

// Case is one hostile request: a JSON body for POST /query.
type Case struct {
	Name string
	// What the document aims at.
	Aim  string
	Body []byte
}

// Cases returns every hostile request with bodies of about size bytes,
// and never over MaxBody (the fragment bomb is small whatever size).
func Cases(size int) []Case {
	size = min(size, MaxBody)
	var out []Case
	add := func(name, aim string, build func(size int) (string, map[string]any)) {
		for n := size; ; n = n * 15 / 16 {
			query, vars := build(n)
			body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
			if err != nil {
				panic(err)
			}
			if len(body) <= size || n < 64 {
				out = append(out, Case{Name: name, Aim: aim, Body: body})
				return
			}
		}
	}
	doc := func(f func(int) string) func(int) (string, map[string]any) {
		return func(n int) (string, map[string]any) { return f(n), nil }
	}
	add("same-name-args", "OverlappingFieldsCanBeMerged: n² conflicting pairs, one error each", doc(func(n int) string {
		return repeatToSize(n, "{", "}", func(i int) string { return fmt.Sprintf(`account(id:"%d"){id}`, i) })
	}))
	add("root-copies", "OverlappingFieldsCanBeMerged: n² comparisons of identical fields", doc(func(n int) string {
		return repeatToSize(n, "{", "}", func(int) string { return "gateway{version}" })
	}))
	add("aliased-copies", "the alias limit; n² same-name comparisons", doc(func(n int) string {
		return repeatToSize(n, "{", "}", func(int) string { return "a:gateway{version}" })
	}))
	add("fragment-bomb", "fragments spreading fragments: 2^60 fields once expanded", doc(func(int) string { return FragmentBomb(60) }))
	add("spread-pairs", "distinct fragments spread in one set: pairwise fragment comparisons", doc(spreadPairs))
	add("many-operations", "every operation validated with a shared fragment", doc(manyOperations))
	add("deep-nesting", "recursion depth in parser and validator", doc(deep))
	add("unknown-fields", "one validation error per field", doc(func(n int) string {
		return repeatToSize(n, "{", "}", func(i int) string { return fmt.Sprintf("f%d", i) })
	}))
	add("nested-conflicts", "same-named fields whose subselections conflict", doc(nestedConflicts))
	add("long-string", "one huge token", doc(func(n int) string { return `{ account(id: "` + strings.Repeat("x", max(n-64, 1)) + `") { id } }` }))
	add("huge-variables", "variables decoded and coerced", func(n int) (string, map[string]any) {
		return `query($refs: [PersonRef!]!) { people(refs: $refs) { id } }`, map[string]any{"refs": hugeList(n)}
	})
	return out
}

// repeatToSize joins item(0), item(1), ... between open and close until
// the document is about size bytes.
func repeatToSize(size int, open, close string, item func(int) string) string {
	var b strings.Builder
	b.WriteString(open)
	for i := 0; b.Len() < size-len(close)-64; i++ {
		b.WriteString(item(i))
		b.WriteByte(' ')
	}
	b.WriteString(close)
	return b.String()
}

// FragmentBomb is a document whose fragment Fi spreads F(i+1) twice, levels
// deep: 2^levels fields once expanded, in a few hundred bytes.
func FragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("{ gateway { ...F0 } }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on GatewayInfo { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on GatewayInfo { version }\n", levels)
	return b.String()
}

func spreadPairs(size int) string {
	var spreads, defs strings.Builder
	for i := 0; spreads.Len()+defs.Len() < size-64; i++ {
		fmt.Fprintf(&spreads, "...G%d ", i)
		fmt.Fprintf(&defs, "fragment G%d on GatewayInfo { v%d: version }\n", i, i)
	}
	return "{ gateway { " + spreads.String() + "} }\n" + defs.String()
}

func manyOperations(size int) string {
	var b strings.Builder
	b.WriteString("fragment S on GatewayInfo { version sandbox vendors { name configured simulated } }\n")
	for i := 0; b.Len() < size-64; i++ {
		fmt.Fprintf(&b, "query Q%d { gateway { ...S } }\n", i)
	}
	return b.String()
}

func deep(size int) string {
	n := (size - 64) / 3
	return "{" + strings.Repeat("a{", n) + "b" + strings.Repeat("}", n+1)
}

func nestedConflicts(size int) string {
	return repeatToSize(size, "{", "}", func(i int) string {
		return fmt.Sprintf(`account(id:"1"){ company { name: id%s } }`, strings.Repeat(fmt.Sprintf(" name: status%d", i%3), 3))
	})
}

func hugeList(size int) []any {
	out := make([]any, 0, size/12)
	for range size / 12 {
		out = append(out, map[string]any{"id": "1"})
	}
	return out
}

// AtLimits returns the costliest documents the default limits let through
// to validation: just under 15,000 tokens, 2,000 fields and 100 fields
// per response name. They are what the budget is measured on.
func AtLimits() []Case {
	var out []Case
	add := func(name, aim, query string, vars ...map[string]any) {
		req := map[string]any{"query": query}
		if len(vars) > 0 {
			req["variables"] = vars[0]
		}
		body, err := json.Marshal(req)
		if err != nil {
			panic(err)
		}
		out = append(out, Case{Name: name, Aim: aim, Body: body})
	}
	items := func(n int, item func(int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(item(i))
			b.WriteByte(' ')
		}
		return b.String()
	}
	add("limit-same-name-args", "100 same-named fields with different arguments: 4,950 conflicts",
		"{"+items(100, func(i int) string { return fmt.Sprintf(`account(id:"%d"){id}`, i) })+"}")
	add("limit-same-name-nested", "20 same-named fields, each with 99 aliased subfields (the alias limit refuses it)",
		"{"+items(20, func(i int) string {
			return fmt.Sprintf(`account(id:"%d"){`, i) + items(99, func(j int) string { return fmt.Sprintf("x%d: name", j%99) }) + "}"
		})+"}")
	add("limit-copies", "2,000 fields in 20 sets of 100 identical ones",
		"{"+items(20, func(i int) string {
			return fmt.Sprintf("g%d: gateway { ", i) + items(99, func(int) string { return "version" }) + "}"
		})+"}")
	add("limit-spread-pairs", "1,300 distinct fragments spread in one set", spreadPairsN(1300))
	add("limit-unknown-fields", "2,000 unknown fields: 2,000 validation errors",
		"{"+items(2000, func(i int) string { return fmt.Sprintf("f%d", i) })+"}")
	add("limit-operations", "300 operations sharing a fragment", manyOperationsN(300))
	refs := make([]any, 9999)
	for i := range refs {
		refs[i] = map[string]any{"id": "1"}
	}
	add("limit-variables", "9,999 objects in variables (20,000 JSON values), decoded and coerced",
		`query($refs: [PersonRef!]!) { people(refs: $refs) { id } }`, map[string]any{"refs": refs})
	return out
}

func spreadPairsN(n int) string {
	var spreads, defs strings.Builder
	for i := range n {
		fmt.Fprintf(&spreads, "...G%d ", i)
		fmt.Fprintf(&defs, "fragment G%d on GatewayInfo { v%d: version }\n", i, i)
	}
	return "{ gateway { " + spreads.String() + "} }\n" + defs.String()
}

func manyOperationsN(n int) string {
	var b strings.Builder
	b.WriteString("fragment S on GatewayInfo { version sandbox vendors { name configured simulated } }\n")
	for i := range n {
		fmt.Fprintf(&b, "query Q%d { gateway { ...S } }\n", i)
	}
	return b.String()
}
