package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/app/sandbox"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/internal/policy/sharedstate"
	"github.com/switchyard/switchyard/internal/policy/sharedstate/redistest"
)

// rateReplica is one gateway over sb whose vendor rate budgets are
// shared through redisURL ("" for none: each replica alone).
func rateReplica(t *testing.T, sb *sandbox.Sandbox, redisURL string, opts ...gatewaytest.Option) *env {
	t.Helper()
	return &env{gatewaytest.StartOn(t, sb, append(opts, func(s *gatewaytest.Setup) {
		if redisURL == "" {
			return
		}
		stores, err := sharedstate.Open(context.Background(), sharedstate.Config{RedisURL: redisURL}, s.Options.Logger)
		require.NoError(t, err)
		t.Cleanup(func() { _ = stores.Close() })
		s.Options.RateLimiter = stores.RateLimiter
	})...)}
}

// personLoad has 3 clients per replica send person queries, each for a
// distinct ref (nothing deduplicated; the cache is off in gatewaytest), for
// d. It returns how many replies each replica gave and the error codes
// seen.
func personLoad(t *testing.T, replicas []*env, d time.Duration) (served []int64, codes []string) {
	t.Helper()
	served = make([]int64, len(replicas))
	var mu sync.Mutex
	var n atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for ri, e := range replicas {
		for range 3 {
			wg.Go(func() {
				for time.Now().Before(end) {
					ref := fmt.Sprintf("load-%d@example.com", n.Add(1))
					r := e.Query(`query($ref: PersonRef!) { person(ref: $ref) { id } }`, map[string]any{"ref": map[string]any{"email": ref}})
					atomic.AddInt64(&served[ri], 1)
					mu.Lock()
					codes = append(codes, r.Codes()...)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return served, codes
}

// busiestSecond is the most of entries received in any one-second window.
func busiestSecond(entries []simkit.Entry) int {
	at := make([]time.Time, len(entries))
	for i, e := range entries {
		at[i] = e.Time
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	most := 0
	for i := range at {
		j := i
		for j < len(at) && at[j].Sub(at[i]) < time.Second {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

func rateLimitModes(t *testing.T, e *env) map[string]string {
	t.Helper()
	resp, err := http.Get(e.Server.URL + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Vendors map[string]struct {
			RateLimit string `json:"rate_limit"`
		} `json:"vendors"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	out := map[string]string{}
	for v, s := range body.Vendors {
		out[v] = s.RateLimit
	}
	return out
}

// TestReplicasShareAVendorsRateLimit: three replicas on one Ortto account
// (one sandbox) and one Redis send Ortto its 10 req/s between them, with
// no 429, where on their own they send three times that.
func TestReplicasShareAVendorsRateLimit(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	sb, err := sandbox.Start("")
	require.NoError(t, err)
	t.Cleanup(sb.Close)

	t.Run("with Redis, one budget for all", func(t *testing.T) {
		replicas := []*env{rateReplica(t, sb, rs.URL), rateReplica(t, sb, rs.URL), rateReplica(t, sb, rs.URL)}
		assert.Equal(t, map[string]string{"ortto": "shared", "apptivo": "unlimited", "appdirect": "unlimited", "cordial": "unlimited"}, rateLimitModes(t, replicas[0]))
		sb.Recorder.Clear()
		served, codes := personLoad(t, replicas, 3*time.Second)

		calls := gatewaytest.APICalls(sb, "ortto")
		busiest := busiestSecond(calls)
		t.Logf("ortto: %d calls in the run, busiest second %d; replies per replica %v", len(calls), busiest, served)
		// GCRA with a burst of one lets the 11th in at the window's edge.
		assert.LessOrEqual(t, busiest, 11, "Ortto calls in the busiest second")
		assert.NotEmpty(t, calls, "the shared budget is used, not starved")
		for _, c := range calls {
			assert.NotEqual(t, http.StatusTooManyRequests, c.Status)
		}
		assert.NotContains(t, codes, "VENDOR_RATE_LIMITED")
		for i, n := range served {
			assert.Positive(t, n, "replica %d was served", i)
		}
	})

	t.Run("without it, each replica alone sends three times the rate", func(t *testing.T) {
		// The control: the measurement above can fail.
		replicas := []*env{rateReplica(t, sb, ""), rateReplica(t, sb, ""), rateReplica(t, sb, "")}
		assert.Equal(t, "local", rateLimitModes(t, replicas[0])["ortto"])
		sb.Recorder.Clear()
		personLoad(t, replicas, 1500*time.Millisecond)
		busiest := busiestSecond(gatewaytest.APICalls(sb, "ortto"))
		t.Logf("ortto alone per replica: busiest second %d", busiest)
		assert.Greater(t, busiest, 15)
	})
}

// TestRateLimitFallsBackWhenRedisIsGone: a replica whose Redis stops
// answering keeps serving at its share of the rate, and says so in
// /readyz and /metrics.
func TestRateLimitFallsBackWhenRedisIsGone(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	gone := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = gone.Close() })
	withTel, _ := withTelemetry(t)
	e := newEnv(t, withTel, func(s *gatewaytest.Setup) {
		s.Options.RateLimiter = sharedstate.NewRateLimiter(gone, "")
	})
	assert.Equal(t, "shared", rateLimitModes(t, e)["ortto"])

	for i := range 3 {
		r := e.Query(`query($ref: PersonRef!) { person(ref: $ref) { id } }`, map[string]any{"ref": map[string]any{"email": fmt.Sprintf("gone-%d@example.com", i)}})
		assert.NotContains(t, r.Codes(), "VENDOR_RATE_LIMITED", r.Raw)
	}
	assert.Len(t, e.APICalls("ortto"), 3, "served at the replica's share")
	assert.Equal(t, "local-fallback", rateLimitModes(t, e)["ortto"])

	resp, err := http.Get(e.Server.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `switchyard_vendor_rate_limit_fallback{vendor="ortto"} 1`)
	assert.Contains(t, string(raw), `switchyard_vendor_rate_limit_fallbacks_total{vendor="ortto"} 1`)
	assert.Contains(t, string(raw), `switchyard_vendor_rate_limit_fallback{vendor="cordial"} 0`)
	assert.Contains(t, e.Logs.String(), "shared rate limit unreachable")
}
