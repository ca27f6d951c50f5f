package outbound_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// TestOrttoThroughTheChain runs the real Ortto client, built on a chain,
// against the Ortto simulator with injected faults: what a resolver sees.
func TestOrttoThroughTheChain(t *testing.T) {
	sim, err := orttosim.New(orttosim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	chain := newChain(t, outbound.ChainOptions{Descriptor: ortto.Vendor, RatePerSecond: 1000, BreakerFailures: 2, BreakerOpen: time.Minute})
	client, err := ortto.New(ortto.Config{APIKey: orttosim.APIKey, BaseURL: sim.URL(), HTTPClient: chain.Client()})
	require.NoError(t, err)
	ada := []ortto.PersonRef{{Email: "ada.lovelace@example.com"}}
	attempts := func() int { defer sim.Recorder().Clear(); return sim.Recorder().Count("ortto") }

	t.Run("rate limited read returns at once with Ortto's wait", func(t *testing.T) {
		// Ortto's 429 carries its wait only in the body: try-in-seconds 1.
		sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: http.StatusTooManyRequests})
		defer sim.Faults().Clear()
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := client.Subscriptions(ctx, ada)
		var e *outbound.Error
		require.ErrorAs(t, err, &e)
		assert.Less(t, time.Since(start), 400*time.Millisecond)
		assert.Equal(t, outbound.KindRateLimited, e.Kind)
		assert.Equal(t, time.Second, e.RetryAfter)
		assert.Equal(t, "rate-limit", e.Code)
		assert.Equal(t, 1, attempts())
	})

	t.Run("unavailable read is retried", func(t *testing.T) {
		sim.Faults().Set(simkit.Fault{Vendor: "ortto", Status: http.StatusServiceUnavailable})
		defer sim.Faults().Clear()
		_, err := client.Subscriptions(context.Background(), ada)
		var e *outbound.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, outbound.KindUnavailable, e.Kind)
		assert.Equal(t, 3, attempts())
	})

	t.Run("reset mutation is sent once", func(t *testing.T) {
		sim.Faults().Set(simkit.Fault{Vendor: "ortto", Reset: true})
		defer sim.Faults().Clear()
		_, err := client.ArchiveAccounts(context.Background(), ortto.AccountSelection{InclusionIDs: []string{"a1"}})
		var e *outbound.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, outbound.KindUnavailable, e.Kind)
		// The simulator records a reset request after the client has seen
		// the reset; give a wrongly retried attempt time to show too.
		require.Eventually(t, func() bool { return sim.Recorder().Count("ortto") >= 1 }, time.Second, time.Millisecond)
		time.Sleep(20 * time.Millisecond)
		assert.Equal(t, 1, attempts())
	})

	t.Run("open breaker answers without calling Ortto", func(t *testing.T) {
		// The previous two failures opened it (BreakerFailures: 2).
		require.Equal(t, "open", chain.BreakerState())
		_, err := client.Subscriptions(context.Background(), ada)
		var e *outbound.Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "circuit breaker open", e.Message)
		assert.Equal(t, "get subscriptions", e.Operation)
		assert.Equal(t, 0, attempts())
	})
}
