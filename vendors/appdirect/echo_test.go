package appdirect_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/base/outbound/outboundtest"
	"github.com/switchyard/switchyard/internal/base/simkit"
	"github.com/switchyard/switchyard/vendors/appdirect"
	"github.com/switchyard/switchyard/vendors/appdirect/appdirectsim"
)

// TestEchoedCredentialsAreScrubbed: AppDirect echoing the request in its
// error body leaks none of the client secret, the token endpoint's Basic
// value, or the bearer token fetched at run time, whether the echo comes
// from the token endpoint, a REST call or a GraphQL call.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	sim, err := appdirectsim.New(appdirectsim.Options{})
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	wire := &outboundtest.Wire{}
	newClient := func() *appdirect.Client {
		c, err := appdirect.New(appdirect.Config{BaseURL: sim.URL(), ClientID: appdirectsim.ClientID, ClientSecret: appdirectsim.ClientSecret, HTTPClient: &http.Client{Transport: wire}})
		require.NoError(t, err)
		return c
	}
	ctx := context.Background()
	basic := base64.StdEncoding.EncodeToString([]byte(appdirectsim.ClientID + ":" + appdirectsim.ClientSecret))

	t.Run("token endpoint", func(t *testing.T) {
		sim.Faults().Set(simkit.Fault{Vendor: appdirect.Name, Echo: true, Status: http.StatusUnauthorized})
		t.Cleanup(func() { sim.Faults().Clear() })
		_, err := newClient().GetCompany(ctx, "any")
		creds := append(wire.Credentials(), appdirectsim.ClientSecret)
		e := outboundtest.RequireScrubbed(t, err, creds)
		assert.Contains(t, creds, basic, "the token request carried the Basic value")
		assert.Contains(t, e.Message, "Authorization: Basic REDACTED", "the echo reached the error, scrubbed")
	})

	t.Run("API calls with a bearer token", func(t *testing.T) {
		c := newClient()
		_, err := c.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{})
		require.NoError(t, err, "fetches and caches a token")
		sim.Faults().Set(simkit.Fault{Vendor: appdirect.Name, Echo: true})
		t.Cleanup(func() { sim.Faults().Clear() })

		_, err = c.GetCompany(ctx, "any")
		e := outboundtest.RequireScrubbed(t, err, append(wire.Credentials(), appdirectsim.ClientSecret))
		assert.Contains(t, e.Message, "Authorization: Bearer REDACTED")

		_, err = c.Accounts(ctx, appdirect.ConnectionSelection{Nodes: true}, appdirect.AccountsArgs{})
		e = outboundtest.RequireScrubbed(t, err, append(wire.Credentials(), appdirectsim.ClientSecret))
		assert.Contains(t, e.Message, "Authorization: Bearer REDACTED")
		assert.Contains(t, wire.Credentials(), "Bearer "+bearerOf(t, wire.Credentials()))
	})
}

// bearerOf is the bearer token among creds.
func bearerOf(t *testing.T, creds []string) string {
	t.Helper()
	for _, c := range creds {
		if len(c) > len("Bearer ") && c[:len("Bearer ")] == "Bearer " {
			return c[len("Bearer "):]
		}
	}
	t.Fatal("no bearer token went over the wire")
	return ""
}
