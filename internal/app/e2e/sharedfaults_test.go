package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// sharedReplica is a gateway over sb with every store in the Redis at
// url, as server.go wires a replica, and the read cache on.
func sharedReplica(t *testing.T, sb *sandbox.Sandbox, url string, opts ...gatewaytest.Option) *env {
	t.Helper()
	opts = append([]gatewaytest.Option{gatewaytest.WithCache(time.Hour), gatewaytest.WithRedis(t, url, "")}, opts...)
	return &env{gatewaytest.StartOn(t, sb, opts...)}
}

type readiness struct {
	Status      string   `json:"status"`
	Degraded    []string `json:"degraded"`
	SharedState struct {
		Breaker    string `json:"breaker"`
		Durability string `json:"durability"`
	} `json:"shared_state"`
	Vendors map[string]struct {
		Cache string `json:"cache"`
	} `json:"vendors"`
}

func (e *env) readyz(t *testing.T) readiness {
	t.Helper()
	resp, err := http.Get(e.Server.URL + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "degraded is still 200: every replica shares the same Redis")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var r readiness
	require.NoError(t, json.Unmarshal(b, &r), string(b))
	return r
}

// timed runs q and returns the reply and how long it took.
func (e *env) timed(q string, header ...string) (*gatewaytest.Response, time.Duration) {
	start := time.Now()
	r := e.Query(q, nil, header...)
	return r, time.Since(start)
}

// Redis frozen (SIGSTOP) under a replica with the cache, the shared rate
// budget and idempotency keys in it. On adb9586 every cached read took
// 5 s, an Ortto read 10 s and came back VENDOR_TIMEOUT, a Cordial rename
// the vendor applied came back VENDOR_TIMEOUT, and /readyz said ready.
// Now each Redis call is bounded by its own deadline, then the breaker
// fails them at once: reads are served by the vendor, the rename is
// reported as applied, keyed mutations are refused with 503
// SHARED_STATE_UNAVAILABLE (nothing ran), and /readyz says degraded and
// why, until Redis is back.
//
// The time bounds are a few times the deadlines (250 ms for the cache, 1 s
// for the rate budget), far below the old 5 and 10 s, so that only a
// return of those waits fails them on a busy machine.
func TestFrozenRedisDegradesInsteadOfStalling(t *testing.T) {
	t.Parallel()
	rs := redistest.StartWith(t, redistest.Options{AOF: true, Fsync: "always"})
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	e := sharedReplica(t, sb, rs.URL)
	const (
		lists  = `{ accountLists { id name } }`
		person = `{ person(ref: {email: "ada.lovelace@example.com"}) { id } }`
		rename = `mutation { updateAccountList(id: "2", input: {name: "renamed_while_frozen"}) { name } }`
		create = `mutation { createAccountList(input: {name: "keyed_while_frozen"}) { id } }`
	)
	for _, q := range []string{lists, person} {
		r := e.Query(q, nil)
		require.Empty(t, r.Errors, r.Raw)
	}
	require.Equal(t, "ready", e.readyz(t).Status)

	rs.Freeze()
	t.Cleanup(rs.Thaw)
	for _, q := range []string{rename, lists, person} {
		r, took := e.timed(q)
		assert.Empty(t, r.Errors, "%s: %s", q, r.Raw)
		assert.Less(t, took, 4*time.Second, q)
	}
	r := e.Query(lists, nil)
	assert.Contains(t, r.Raw, "renamed_while_frozen", "the replica reads past the cache it could not invalidate")

	w := e.Post("application/json", []byte(mustJSON(t, map[string]any{"query": create})), "Idempotency-Key", "frozen-1")
	assert.Equal(t, http.StatusServiceUnavailable, w.Status, w.Raw)
	assert.Equal(t, []string{"SHARED_STATE_UNAVAILABLE"}, w.Codes())
	for _, c := range e.APICalls("cordial") {
		assert.NotContains(t, c.Body, "keyed_while_frozen", "the keyed mutation did not run")
	}

	ready := e.readyz(t)
	assert.Equal(t, "degraded", ready.Status)
	assert.Equal(t, "owes-invalidation", ready.Vendors["cordial"].Cache)
	assert.NotEmpty(t, ready.Degraded)

	rs.Thaw()
	require.Eventually(t, func() bool {
		e.Query(lists, nil) // publishes the owed invalidation once Redis answers
		return e.readyz(t).Status == "ready"
	}, 4*sharedstate.BreakerOpen, 100*time.Millisecond, "ready again once Redis answers")
	w = e.Post("application/json", []byte(mustJSON(t, map[string]any{"query": create})), "Idempotency-Key", "frozen-1")
	assert.Empty(t, w.Errors, w.Raw)
}

// AppDirect's token fetch is no vendor operation: it neither invalidates
// the cache nor keys it. Two replicas on one Redis, each with its own
// token, share one cached AppDirect reply; a token refresh keeps it. On
// adb9586 each token fetch invalidated AppDirect's entries on every
// replica and each replica's bearer was in the key, so B called
// AppDirect again.
func TestTokenFetchNeitherInvalidatesNorKeysTheCache(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	a, b := sharedReplica(t, sb, rs.URL), sharedReplica(t, sb, rs.URL)
	const q = `{ accounts(first: 2) { nodes { id name } } }`

	first := a.Query(q, nil)
	require.Empty(t, first.Errors, first.Raw)
	onB := b.Query(q, nil)
	require.Empty(t, onB.Errors, onB.Raw)
	assert.JSONEq(t, string(first.Data), string(onB.Data))
	assert.Len(t, a.APICalls("appdirect"), 1, "B is served A's reply, though B fetched its own token")
	assert.Len(t, a.Calls("appdirect"), 3, "two token fetches (one per replica) and one query")

	again := a.Query(q, nil)
	require.Empty(t, again.Errors, again.Raw)
	assert.Len(t, a.APICalls("appdirect"), 1, "B's token fetch did not invalidate A's entry")
}
