package e2e

import (
	"strings"
	"testing"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/hostile"
)

// TestEveryPartOfTheBodyWithinBudget (issue 18, item 3): extensions had
// no cap, unlike variables; a 1 MiB extensions object cost 64 MiB of
// allocation on a plain query and 120 MiB on a mutation sent with an
// Idempotency-Key. Every part of a body of up to 1 MiB (query, variables,
// extensions, operation name, and their nesting) is now answered or
// refused within SECURITY.md's 64 MiB, measured with
// runtime.MemStats.TotalAlloc, with coded errors and no vendor call.
func TestEveryPartOfTheBodyWithinBudget(t *testing.T) {
	// Not parallel: it measures the whole process (allocations,
	// goroutines), which other tests would add to.
	b := budgetCheck{env: gatewaytest.Start(t)}
	const mib = 1 << 20
	fill := func(unit string, budget int) string {
		return strings.TrimSuffix(strings.Repeat(unit+",", budget/(len(unit)+1)), ",")
	}
	body := func(query, operationName, variables, extensions string) []byte {
		s := `{"query":` + query
		if operationName != "" {
			s += `,"operationName":` + operationName
		}
		if variables != "" {
			s += `,"variables":` + variables
		}
		if extensions != "" {
			s += `,"extensions":` + extensions
		}
		return []byte(s + "}")
	}
	query := `"{ gateway { version } }"`
	mutation := `"mutation { createAccountList(input: {name: \"budget\"}) { id } }"`
	size := mib - 200
	cases := []struct {
		name   string
		body   []byte
		header []string
	}{
		{"extensions of small objects", body(query, "", "", `{"x":[`+fill("{}", size)+`]}`), nil},
		{"extensions of many keys", body(query, "", "", `{`+fill(`"k":1`, size)+`}`), nil},
		{"extensions nested", body(query, "", "", `{"x":`+strings.Repeat("[", size/2)+strings.Repeat("]", size/2)+`}`), nil},
		{"keyed mutation with extensions", body(mutation, "", "", `{"x":[`+fill("{}", size)+`]}`), []string{"Idempotency-Key", "budget-1"}},
		{"keyed mutation with many keys", body(mutation, "", "", `{`+fill(`"k":1`, size)+`}`), []string{"Idempotency-Key", "budget-2"}},
		{"variables nested", body(query, "", `{"v":`+strings.Repeat("[", size/2)+strings.Repeat("]", size/2)+`}`, ""), nil},
		{"variables of many keys", body(query, "", `{`+fill(`"k":1`, size)+`}`, ""), nil},
		{"operation name", body(query, `"`+strings.Repeat("A", size)+`"`, "", ""), nil},
		{"every part at once", body(`"`+strings.Repeat("a ", size/8)+`"`, `"`+strings.Repeat("A", size/8)+`"`, `{`+fill(`"k":1`, size/4)+`}`, `{`+fill(`"k":1`, size/4)+`}`), []string{"Idempotency-Key", "budget-3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.body) > hostile.MaxBody {
				t.Fatalf("%d bytes: over the body limit", len(c.body))
			}
			b.send(t, c.name, c.body, c.header...)
		})
	}
}
