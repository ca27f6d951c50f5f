package e2e

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

func (e *env) mutateWithKey(key, q string, vars map[string]any) *gatewaytest.Response {
	e.T.Helper()
	return e.Query(q, vars, "Idempotency-Key", key)
}

func TestIdempotencyKeyMakesOneVendorCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := `mutation($name: String!) { createAccountList(input: {name: $name}) { id name } }`
	first := e.mutateWithKey("key-1", q, map[string]any{"name": "once-only"})
	require.Empty(t, first.Errors, first.Raw)
	again := e.mutateWithKey("key-1", q, map[string]any{"name": "once-only"})
	assert.Equal(t, first.Raw, again.Raw, "the stored result is returned")
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	posts := 0
	for _, c := range e.Calls("cordial") {
		if c.Method == http.MethodPost {
			posts++
		}
	}
	assert.Equal(t, 1, posts, "one vendor call in total")

	other := e.mutateWithKey("key-1", q, map[string]any{"name": "something-else"})
	assert.Equal(t, http.StatusConflict, other.Status)
	assert.Equal(t, []string{"CONFLICT"}, other.Codes())

	// Concurrent retries of one destructive mutation: one vendor call.
	e.Sandbox.Recorder.Clear()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.mutateWithKey("key-2", `mutation { deleteAccountList(id: "4") { success } }`, nil)
		}()
	}
	wg.Wait()
	assert.Len(t, e.Calls("cordial"), 1)
}
