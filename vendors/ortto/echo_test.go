package ortto_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/ortto"
	"github.com/switchyard/switchyard/vendors/ortto/orttosim"
)

// TestEchoedCredentialsAreScrubbed: Ortto (or a proxy) echoing the request
// in its error body, X-Api-Key included, does not put the key in the
// error a GraphQL client would see.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	sim, err := orttosim.New(orttosim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	wire := &outboundtest.Wire{}
	c, err := ortto.New(ortto.Config{APIKey: orttosim.APIKey, BaseURL: sim.URL(), HTTPClient: &http.Client{Transport: wire}})
	require.NoError(t, err)

	for _, status := range []int{0, http.StatusTooManyRequests} {
		sim.Faults().Set(simkit.Fault{Vendor: ortto.Name, Echo: true, Status: status})
		_, err = c.Subscriptions(context.Background(), []ortto.PersonRef{{Email: "ada.lovelace@example.com"}})
		e := outboundtest.RequireScrubbed(t, err, wire.Credentials())
		assert.Contains(t, e.Message, "X-Api-Key: REDACTED", "the echo reached the error, scrubbed")
		assert.Contains(t, wire.Credentials(), orttosim.APIKey)
	}
}
