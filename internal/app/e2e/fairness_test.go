package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

// TestOneClientCannotTakeAVendorsWholeBudget is issue 9's observation
// turned round: while one client runs the heaviest Ortto query the
// budget surely allows (four aliases of 1,000 refs: 40 or a few more
// calls, four seconds at Ortto's 10 req/s), another client's one-call person query is served
// within 1.5 s, because waiting clients take turns at the rate limit.
// Queued first come first served it waited about 4.7 s.
func TestOneClientCannotTakeAVendorsWholeBudget(t *testing.T) {
	t.Parallel()
	var rate float64
	e := newEnv(t, withAPIKeys(t), func(s *gatewaytest.Setup) { rate = s.Config.Limits["ortto"].RatePerSecond })
	require.Equal(t, 10.0, rate, "the test is about Ortto's default 10 req/s")

	heavy, vars := heavyPeople(4)
	done := make(chan *gatewaytest.Response, 1)
	go func() { done <- e.Query(heavy, vars, "Authorization", "Bearer "+readerKey) }()
	require.Eventually(t, func() bool { return len(e.APICalls("ortto")) >= 3 }, 3*time.Second, 5*time.Millisecond,
		"the heavy query is under way")

	start := time.Now()
	r := e.queryAs(writerKey, `{ person(ref: {email: "ada.lovelace@example.com"}) { id } }`)
	took := time.Since(start)
	require.Empty(t, r.Errors, r.Raw)
	assert.Contains(t, string(r.Data), `"id"`)
	assert.Less(t, took, 1500*time.Millisecond, "the light query waited behind the heavy one")
	select {
	case <-done:
		t.Fatal("the heavy query finished first: nothing was contended")
	default:
	}

	h := <-done
	assert.Empty(t, h.Errors, "the heavy query still completes within its deadline")
	assert.GreaterOrEqual(t, len(e.APICalls("ortto")), 41, "40 heavy calls and the light one")
	t.Logf("light query: %v while the heavy query held Ortto", took.Round(time.Millisecond))
}
