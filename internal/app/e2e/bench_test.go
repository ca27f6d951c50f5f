package e2e

import (
	"sort"
	"testing"
	"time"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
	"github.com/switchyard/switchyard/internal/base/simkit"
)

// P1FanOutQuery touches all four vendors with root fields only, so that
// the four vendor calls can all run at once.
const P1FanOutQuery = `{
  accounts(first: 3) { nodes { id name } }
  customers(first: 3) { nodes { id name } }
  accountLists { id name }
  people(refs: [{email: "ada.lovelace@example.com"}, {email: "grace.hopper@example.com"}]) { id }
}`

// benchEnv is newEnv for benchmarks: the documented client-side rate
// limits are lifted, since the point is to measure the gateway, not to
// queue behind Ortto's 10 requests a second.
func benchEnv(b *testing.B) *env {
	return newEnv(b, gatewaytest.WithoutRateLimits())
}

func latencyAll(e *env, ms int) {
	for _, v := range []string{"ortto", "apptivo", "appdirect", "cordial"} {
		e.Sandbox.Faults.Set(simkit.Fault{Vendor: v, LatencyMs: ms})
	}
}

// BenchmarkP1FanOut: each vendor takes 50 ms; the gateway's median must
// stay within 1.10 x 50 ms because the four calls run concurrently.
//
//	go test ./internal/app/e2e -run '^$' -bench BenchmarkP1FanOut -benchtime 200x
func BenchmarkP1FanOut(b *testing.B) {
	e := benchEnv(b)
	latencyAll(e, 50)
	e.Query(P1FanOutQuery, nil) // token fetch and connection set-up
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		r := e.Query(P1FanOutQuery, nil)
		durations = append(durations, time.Since(start))
		if len(r.Errors) > 0 {
			b.Fatalf("errors: %s", r.Raw)
		}
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	median := durations[len(durations)/2]
	b.ReportMetric(float64(median.Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(median)/float64(50*time.Millisecond), "x-vendor-latency")
}

// BenchmarkP2NoNPlusOne: 100 customers with their Ortto people.
//
//	go test ./internal/app/e2e -run '^$' -bench BenchmarkP2 -benchtime 50x
func BenchmarkP2NoNPlusOne(b *testing.B) {
	for _, tc := range []struct{ name, query string }{
		{"plain", `{ customers(first: 100) { nodes { name person { subscriptions { audienceName subscribed } } } } }`},
		{"aliased", `{ a: customers(first: 100) { nodes { name person { subscriptions { audienceName subscribed } } } } b: customers(first: 100) { nodes { name person { subscriptions { audienceName subscribed } } } } }`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := benchEnv(b)
			seedLinked(b, e, 100)
			b.ResetTimer()
			for range b.N {
				if r := e.Query(tc.query, nil); len(r.Errors) > 0 {
					b.Fatalf("errors: %s", r.Raw)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(len(e.Calls("apptivo"))+len(e.Calls("ortto")))/float64(b.N), "vendor-calls/op")
		})
	}
}

// BenchmarkP3Dedup: 200 concurrent identical accountLists queries per
// op, Cordial taking 50 ms.
//
//	go test ./internal/app/e2e -run '^$' -bench BenchmarkP3 -benchtime 20x
func BenchmarkP3Dedup(b *testing.B) {
	e := benchEnv(b)
	e.Sandbox.Faults.Set(simkit.Fault{Vendor: "cordial", LatencyMs: 50})
	const clients = 200
	b.ResetTimer()
	for range b.N {
		if failed := queryAtOnce(e, clients, `{ accountLists { id name } }`); len(failed) > 0 {
			b.Fatalf("errors: %s", failed[0])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(e.Calls("cordial")))/float64(b.N*clients), "cordial-calls/request")
}
