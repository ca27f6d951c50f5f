package gateway_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (e *env) mutateWithKey(key, q string, vars map[string]any) *response {
	e.t.Helper()
	body := mustJSON(e.t.(*testing.T), map[string]any{"query": q, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/query", bytes.NewBufferString(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return e.send(req)
}

func TestIdempotencyKeyMakesOneVendorCall(t *testing.T) {
	e := newEnv(t)
	q := `mutation($name: String!) { createAccountList(input: {name: $name}) { id name } }`
	first := e.mutateWithKey("key-1", q, map[string]any{"name": "once-only"})
	require.Empty(t, first.Errors, first.Raw)
	again := e.mutateWithKey("key-1", q, map[string]any{"name": "once-only"})
	assert.Equal(t, first.Raw, again.Raw, "the stored result is returned")
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	posts := 0
	for _, c := range e.calls("cordial") {
		if c.Method == http.MethodPost {
			posts++
		}
	}
	assert.Equal(t, 1, posts, "one vendor call in total")

	other := e.mutateWithKey("key-1", q, map[string]any{"name": "something-else"})
	assert.Equal(t, http.StatusConflict, other.Status)
	assert.Equal(t, []string{"CONFLICT"}, other.codes())

	// Concurrent retries of one destructive mutation: one vendor call.
	e.sb.Recorder.Clear()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.mutateWithKey("key-2", `mutation { deleteAccountList(id: "4") { success } }`, nil)
		}()
	}
	wg.Wait()
	assert.Len(t, e.calls("cordial"), 1)
}
