package cordial_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/cordial"
	"github.com/switchyard/switchyard/vendors/cordial/cordialsim"
)

// TestEchoedCredentialsAreScrubbed: Cordial echoing the request in its
// error body, the Basic Authorization value included, does not put the key
// (raw or base64 key:) in the error a GraphQL client would see.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	sim, err := cordialsim.New(cordialsim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	wire := &outboundtest.Wire{}
	c, err := cordial.New(cordial.Config{APIKey: cordialsim.APIKey, BaseURL: sim.URL(), HTTPClient: &http.Client{Transport: wire}})
	require.NoError(t, err)

	sim.Faults().Set(simkit.Fault{Vendor: cordial.Name, Echo: true})
	_, err = c.Lists(context.Background(), "newsletter")
	creds := append(wire.Credentials(), cordialsim.APIKey)
	e := outboundtest.RequireScrubbed(t, err, creds)
	assert.Contains(t, e.Message, "Authorization: Basic REDACTED", "the echo reached the error, scrubbed")
	assert.Contains(t, creds, base64.StdEncoding.EncodeToString([]byte(cordialsim.APIKey+":")))
	assert.Equal(t, http.StatusBadRequest, e.HTTPStatus, "an echo fault without a status is a 400")
}
