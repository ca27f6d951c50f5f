package e2e

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// Load with faults switched on and off: every request gets a well-formed
// GraphQL response, and once the gateway and simulators are closed no
// goroutine is left behind.
func TestLoadUnderTogglingFaultsLeaksNothing(t *testing.T) {
	// Not parallel: it measures the whole process (allocations,
	// goroutines), which other tests would add to.
	baseline := goleak.IgnoreCurrent()
	func() {
		e := newEnv(t, withFaultTimeouts())
		defer func() {
			// What newEnv's cleanups would do, but before the leak check.
			e.Server.Close()
			_ = e.Gateway.Close()
			e.Sandbox.Close()
			http.DefaultClient.CloseIdleConnections()
		}()
		stop := make(chan struct{})
		var toggles sync.WaitGroup
		toggles.Add(1)
		go func() {
			defer toggles.Done()
			modes := []simkit.Fault{{Status: 503}, {LatencyMs: 400}, {Reset: true}, {Malformed: true}, {Status: 429, RetryAfterSeconds: 1}, {StallMs: 500}, {}}
			vendors := []string{"ortto", "apptivo", "appdirect", "cordial"}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				f := modes[i%len(modes)]
				f.Vendor, f.Rate = vendors[i%len(vendors)], 0.5
				e.Sandbox.Faults.Set(f)
				if i%5 == 4 {
					e.Sandbox.Faults.Clear()
				}
			}
		}()
		var wellFormed, bad atomic.Int64
		var clients sync.WaitGroup
		deadline := time.Now().Add(2 * time.Second)
		for range 50 {
			clients.Add(1)
			go func() {
				defer clients.Done()
				for time.Now().Before(deadline) {
					r := e.Query(fanOut, nil)
					if r.Status == http.StatusOK && (r.Data != nil || r.Errors != nil) {
						wellFormed.Add(1)
					} else {
						bad.Add(1)
					}
				}
			}()
		}
		clients.Wait()
		close(stop)
		toggles.Wait()
		t.Logf("%d well-formed responses, %d others", wellFormed.Load(), bad.Load())
		assert.Zero(t, bad.Load(), "every request gets a well-formed GraphQL response")
		assert.Positive(t, wellFormed.Load())
	}()
	goleak.VerifyNone(t, baseline)
}
