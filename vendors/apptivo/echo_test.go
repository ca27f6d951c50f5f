package apptivo_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/apptivo"
	"github.com/switchyard/switchyard/vendors/apptivo/apptivosim"
)

// TestEchoedCredentialsAreScrubbed: Apptivo echoing the request in its
// FAILURE reason, the raw query with apiKey and accessKey included, does
// not put either key in the error a GraphQL client would see.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	sim, err := apptivosim.New(apptivosim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	wire := &outboundtest.Wire{}
	c, err := apptivo.New(apptivo.Config{APIKey: apptivosim.APIKey, AccessKey: apptivosim.AccessKey, BaseURL: sim.URL(), HTTPClient: &http.Client{Transport: wire}})
	require.NoError(t, err)

	sim.Faults().Set(simkit.Fault{Vendor: apptivo.Name, Echo: true})
	_, err = c.GetCustomer(context.Background(), "1001")
	creds := wire.Credentials()
	e := outboundtest.RequireScrubbed(t, err, creds)
	assert.Contains(t, e.Message, "apiKey=REDACTED", "the echo reached the error, scrubbed")
	assert.Contains(t, creds, apptivosim.APIKey)
	assert.Contains(t, creds, apptivosim.AccessKey)
}
