package e2e

import (
	"sync"
	"testing"

	"github.com/switchyard/switchyard/internal/app/gatewaytest"
)

// env is gatewaytest.Env with this package's own helpers as methods.
type env struct{ *gatewaytest.Env }

func newEnv(t testing.TB, opts ...gatewaytest.Option) *env {
	t.Helper()
	return &env{gatewaytest.Start(t, opts...)}
}

// queryAtOnce sends q from n clients released at the same moment and
// returns the raw replies that carried errors.
func queryAtOnce(e *env, n int, q string) []string {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []string
	)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if r := e.Query(q, nil); len(r.Errors) > 0 {
				mu.Lock()
				failed = append(failed, r.Raw)
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return failed
}
