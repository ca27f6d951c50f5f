package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/policy/hostile"
	"github.com/switchyard/switchyard/internal/policy/querylimits"
)

// The budget of one request of up to 1 MiB, whatever it holds (see
// SECURITY.md). Allocation is checked here, deterministically; CPU is
// measured by bench/hostile.sh.
const (
	allocBudget = 64 << 20
	// maxErrors is the cap on a refusal's errors plus the one saying how
	// many were left out.
	maxErrors = querylimits.DefaultMaxErrors + 1
	// maxReply bounds a refusal's body: 51 errors of a few hundred bytes.
	maxReply = 64 << 10
)

// budgetCheck sends body to the gateway's handler in this goroutine and
// checks what it cost and what came back.
type budgetCheck struct {
	env *gatewaytest.Env
}

func (b budgetCheck) send(t testing.TB, name string, body []byte, header ...string) {
	t.Helper()
	calls := len(b.env.Sandbox.Recorder.Entries())
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.env.Gateway.ServeHTTP(rec, req)
	runtime.ReadMemStats(&after)

	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s: allocated %.1f MiB, status %d", name, float64(alloc)/(1<<20), rec.Code)
	assert.LessOrEqual(t, alloc, uint64(allocBudget), "%s: allocated %d bytes", name, alloc)
	assert.Less(t, rec.Code, 500, "%s: %s", name, rec.Body)
	var reply struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &reply), "%s: %.300s", name, rec.Body)
	assert.LessOrEqual(t, len(reply.Errors), maxErrors, "%s: errors", name)
	for _, e := range reply.Errors {
		assert.NotEmpty(t, e.Extensions["code"], "%s: an error without a code: %s", name, e.Message)
	}
	if len(reply.Data) == 0 || string(reply.Data) == "null" {
		assert.LessOrEqual(t, rec.Body.Len(), maxReply, "%s: a refusal of %d bytes", name, rec.Body.Len())
		assert.Len(t, b.env.Sandbox.Recorder.Entries(), calls, "%s: a refused request called a vendor", name)
	}
}

// TestHostileDocumentsWithinBudget is issue 9.1: a small document of
// same-named fields with different arguments made validation report n²/2
// conflicts (half a million errors for a thousand fields); copies of one
// root field cost n² comparisons before the limits ran. Every hostile
// document, and the costliest ones the limits let through, is answered or
// refused within the allocation budget, with a bounded list of coded
// errors and no vendor call.
func TestHostileDocumentsWithinBudget(t *testing.T) {
	// Not parallel: it measures the whole process (allocations,
	// goroutines), which other tests would add to.
	b := budgetCheck{env: gatewaytest.Start(t)}
	for _, c := range append(hostile.Cases(8<<10), hostile.AtLimits()...) {
		t.Run(c.Name, func(t *testing.T) { b.send(t, c.Name, c.Body) })
	}
}

// FuzzDocumentBudget sends arbitrary documents, seeded with the hostile
// ones, and holds every reply to the budget of TestHostileDocumentsWithinBudget.
// A longer run: go test -run '^$' -fuzz '^FuzzDocumentBudget$' -fuzztime 2m ./internal/app/e2e
func FuzzDocumentBudget(f *testing.F) {
	for _, c := range append(hostile.Cases(2<<10), hostile.AtLimits()...) {
		var req struct {
			Query string `json:"query"`
		}
		require.NoError(f, json.Unmarshal(c.Body, &req))
		f.Add(req.Query, "")
	}
	f.Add(`query A { gateway { version } } query B { ...F } fragment F on Query { gateway { version } }`, "B")
	b := budgetCheck{env: gatewaytest.Start(f)}
	f.Fuzz(func(t *testing.T, query, operationName string) {
		body, err := json.Marshal(map[string]any{"query": query, "operationName": operationName})
		require.NoError(t, err)
		if len(body) > hostile.MaxBody {
			t.Skip("over the body limit: refused on size, by the guard")
		}
		b.send(t, "fuzzed", body)
	})
}
